import Domain
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// The session row locked for the rest of the transaction: every change to a session (its
/// services, adaptations, centres) takes this lock first, so that checks and writes never race.
struct SessionVerrouillee: Sendable {
    var code: SessionCode
    var academie: String
    var close: Bool
    var revisionAdaptations: Int

    /// Locks `code` (`FOR UPDATE`), or 404 when it does not exist.
    static func verrouiller(_ code: SessionCode, database: Database, on connection: PostgresConnection) async throws -> SessionVerrouillee {
        let rows = try await connection.run(
            SQL.query(
                "SELECT academie, close_le IS NOT NULL, revision_adaptations FROM \(database.table("sessions")) WHERE code = $1 FOR UPDATE",
                code.value),
            database.logger)
        for try await (academie, close, revision) in rows.decode((String, Bool, Int).self) {
            return SessionVerrouillee(code: code, academie: academie, close: close, revisionAdaptations: revision)
        }
        throw SessionVerrouillee.inconnue(code)
    }

    /// 409 when the session is closed: nothing of it changes any more.
    func exigerOuverte() throws {
        guard !close else {
            throw ServiceError.conflict("session.close", "La session \(code.value) est close : elle ne peut plus être modifiée.")
        }
    }

    static func inconnue(_ code: SessionCode) -> ServiceError {
        ServiceError(.notFound, code: "session.inconnue", message: "La session \(code.value) n'existe pas.")
    }
}
