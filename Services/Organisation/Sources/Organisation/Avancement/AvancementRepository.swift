import Foundation
import PostgresNIO
import ServiceKit
import Storage

/// The SQL of the gateway's aggregated views: a session's progress for the gestionnaire's
/// dashboard, a candidate's convocations for his file.
struct AvancementRepository: Sendable {
    let database: Database

    /// Candidates of the session (not cancelled), and those without a convocation yet.
    func candidats(session: String) async throws -> (candidats: Int, sansConvocation: Int) {
        let rows = try await database.query(SQL.query(
            """
            SELECT count(*)::int8,
                count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM \(database.table("convocations")) v WHERE v.candidature = c.id))::int8
            FROM \(database.table("candidatures")) c WHERE c.session = $1 AND NOT c.annulee
            """, session))
        for try await (candidats, sans) in rows.decode((Int64, Int64).self) { return (Int(candidats), Int(sans)) }
        return (0, 0)
    }

    /// When the organisation of the session was declared finished, if it was.
    func terminee(session: String) async throws -> String? {
        let rows = try await database.query(SQL.query(
            """
            SELECT to_char(terminee_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM \(database.table("sessions")) WHERE code = $1 AND terminee_le IS NOT NULL
            """, session))
        for try await le in rows.decode(String.self) { return le }
        return nil
    }

    /// One candidature of a candidate and its latest convocation.
    struct ConvocationCandidat: Codable, Sendable {
        var session: String
        var candidature: UUID
        var numeroCandidat: String
        var specialite: String
        /// The latest version generated, nil before any.
        var version: Int?
        var genereeLe: String?
        var changement: String?
        /// The PDF, through the gateway (nil before any).
        var document: String?
    }

    /// The candidatures (not cancelled) of these numéros candidat, with their latest convocation.
    func convocations(numeros: [String]) async throws -> [ConvocationCandidat] {
        guard !numeros.isEmpty else { return [] }
        let rows = try await database.query(SQL.query(
            """
            SELECT c.session, c.id, c.numero, c.specialite, v.version,
                to_char(v.generee_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), v.changement
            FROM \(database.table("candidatures")) c
            LEFT JOIN LATERAL (SELECT version, generee_le, changement FROM \(database.table("convocations"))
                               WHERE candidature = c.id ORDER BY version DESC LIMIT 1) v ON true
            WHERE c.numero = ANY($1) AND NOT c.annulee ORDER BY c.session DESC, c.specialite LIMIT 50
            """, numeros))
        var items: [ConvocationCandidat] = []
        for try await (session, id, numero, specialite, version, le, changement)
            in rows.decode((String, UUID, String, String, Int?, String?, String?).self)
        {
            items.append(ConvocationCandidat(
                session: session, candidature: id, numeroCandidat: numero, specialite: specialite, version: version, genereeLe: le,
                changement: changement,
                document: version.map { _ in "/api/v1/organisation/candidatures/\(id.uuidString.lowercased())/convocation" }))
        }
        return items
    }
}
