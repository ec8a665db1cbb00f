import Contracts
import Documents
import Foundation
import PostgresNIO
import ServiceKit
import Storage

/// Confirmations (récapitulatifs): a new version at validation, at each change, and when the
/// gestionnaire regenerates them after the règlement or an aménagement changed what they show.
struct ConfirmationRepository: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    struct Version: Codable, Sendable {
        var version: Int
        var genereeLe: String
        var genereePar: String
    }

    /// Writes a new version unless the last one already shows exactly this; returns whether it did.
    @discardableResult
    func generer(_ candidature: Candidature, session: SessionInscription, par: String, on connection: PostgresConnection) async throws -> Bool {
        let contenu = try CandidatureRepository.json(ContenuConfirmation(candidature, session: session))
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("confirmations")) (candidature, version, generee_par, contenu)
            SELECT $1, COALESCE(max(version), 0) + 1, $2, $3::jsonb FROM \(database.table("confirmations")) WHERE candidature = $1
            HAVING NOT EXISTS (SELECT 1 FROM \(database.table("confirmations")) WHERE candidature = $1
                               AND version = (SELECT max(version) FROM \(database.table("confirmations")) WHERE candidature = $1)
                               AND contenu = $3::jsonb)
            RETURNING version
            """, candidature.id, par, contenu), logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    func versions(_ candidature: UUID) async throws -> [Version] {
        let rows = try await database.query(SQL.query(
            """
            SELECT version, \(CandidatureRepository.horodatage("generee_le")), generee_par FROM \(database.table("confirmations"))
            WHERE candidature = $1 ORDER BY version DESC
            """, candidature))
        var versions: [Version] = []
        for try await (version, le, par) in rows.decode((Int, String, String).self) { versions.append(Version(version: version, genereeLe: le, genereePar: par)) }
        return versions
    }

    /// The document of a version (the last when nil).
    func document(_ candidature: UUID, version: Int?) async throws -> Document? {
        let rows = try await database.query(SQL.query(
            """
            SELECT version, \(CandidatureRepository.horodatage("generee_le")), contenu::text FROM \(database.table("confirmations"))
            WHERE candidature = $1 AND ($2::int4 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1
            """, candidature, version))
        for try await (numero, le, contenu) in rows.decode((Int, String, String).self) {
            return try CandidatureRepository.decoder.decode(ContenuConfirmation.self, from: Data(contenu.utf8)).document(version: numero, genereeLe: le)
        }
        return nil
    }

    /// The last confirmation of each validated candidature of a list (bulk printing).
    func documents(_ ids: [UUID]) async throws -> [Document] {
        let rows = try await database.query(SQL.query(
            """
            SELECT DISTINCT ON (candidature) version, \(CandidatureRepository.horodatage("generee_le")), contenu::text
            FROM \(database.table("confirmations")) WHERE candidature = ANY($1) ORDER BY candidature, version DESC
            """, ids))
        var documents: [(String, Document)] = []
        for try await (numero, le, contenu) in rows.decode((Int, String, String).self) {
            let c = try CandidatureRepository.decoder.decode(ContenuConfirmation.self, from: Data(contenu.utf8))
            documents.append(("\(c.candidat.nomFamille) \(c.candidat.prenoms) \(c.numero)", c.document(version: numero, genereeLe: le)))
        }
        return documents.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
