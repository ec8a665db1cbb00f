import Foundation
import Messaging
import MoteurDeliberation
import PostgresNIO
import Storage

/// What a sitting writes and reads besides the juries: the jury's interventions in force and the
/// results it closed.
struct SeanceRepository: Sendable {
    let database: Database

    private var logger: Logger { database.logger }

    /// The interventions in force for `candidatures`, by candidature. On `connection` inside a
    /// transaction (to read what it just wrote), else on the pool.
    func interventions(_ candidatures: [UUID], on connection: PostgresConnection? = nil) async throws -> [UUID: [Intervention]] {
        let query = SQL.query(
            """
            SELECT candidature, unite, note, decision, motif, par, le FROM \(database.table("interventions"))
            WHERE candidature = ANY($1) ORDER BY unite
            """, candidatures)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        var parCandidature: [UUID: [Intervention]] = [:]
        for try await (candidature, unite, note, decision, motif, par, le) in rows.decode((UUID, String, Int?, String?, String, String, Date).self) {
            parCandidature[candidature, default: []].append(Intervention(unite: unite, note: note, decision: decision, motif: motif, par: par, le: le))
        }
        return parCandidature
    }

    /// A unit's grade raised by the jury (replacing its earlier raise of that unit).
    func relever(_ candidature: UUID, unite: String, note: Int, motif: String, par: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("interventions")) (candidature, unite, note, motif, par) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (candidature, unite) DO UPDATE SET note = excluded.note, motif = excluded.motif, par = excluded.par, le = now()
            """, candidature, unite, note, motif, par), logger: logger)
    }

    /// The decision raised to admis by the jury.
    func declarerAdmis(_ candidature: UUID, motif: String, par: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("interventions")) (candidature, unite, decision, motif, par) VALUES ($1, '', 'admis', $2, $3)
            ON CONFLICT (candidature, unite) DO UPDATE SET decision = excluded.decision, motif = excluded.motif, par = excluded.par, le = now()
            """, candidature, motif, par), logger: logger)
    }

    /// The revision of each candidature's latest closed result (absent: never closed).
    func revisions(_ candidatures: [UUID], on connection: PostgresConnection) async throws -> [UUID: Int] {
        var revisions: [UUID: Int] = [:]
        for try await (id, revision) in try await connection.query(SQL.query(
            "SELECT candidature, revision FROM \(database.table("resultats")) WHERE candidature = ANY($1)", candidatures),
            logger: logger).decode((UUID, Int).self) { revisions[id] = revision }
        return revisions
    }

    struct Arrete: Sendable {
        var dossier: Dossier
        var deliberation: Deliberation
        var revision: Int
        /// The engine's answer as stored (JSON).
        var json: String
    }

    /// A jury's results, in one statement.
    func arreter(_ arretes: [Arrete], jury: UUID, session: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("resultats"))
                (candidature, jury, session, numero, specialite, decision, moyenne_points, moyenne_coefficients, deliberation, revision)
            SELECT r.candidature, $1, $2, r.numero, r.specialite, r.decision, NULLIF(r.points, -1), NULLIF(r.coefficients, -1),
                r.deliberation::jsonb, r.revision
            FROM UNNEST($3::uuid[], $4::text[], $5::text[], $6::text[], $7::int4[], $8::int4[], $9::text[], $10::int4[])
                AS r (candidature, numero, specialite, decision, points, coefficients, deliberation, revision)
            ON CONFLICT (candidature) DO UPDATE SET jury = excluded.jury, decision = excluded.decision,
                moyenne_points = excluded.moyenne_points, moyenne_coefficients = excluded.moyenne_coefficients,
                deliberation = excluded.deliberation, revision = excluded.revision, arrete_le = now()
            """,
            jury, session, arretes.map(\.dossier.id), arretes.map(\.dossier.numero), arretes.map(\.dossier.specialite),
            arretes.map(\.deliberation.decision.rawValue),
            arretes.map { Int32(clamping: $0.deliberation.moyenne?.points ?? -1) },
            arretes.map { Int32(clamping: $0.deliberation.moyenne?.coefficients ?? -1) },
            arretes.map(\.json), arretes.map { Int32(clamping: $0.revision) }), logger: logger)
    }
}
