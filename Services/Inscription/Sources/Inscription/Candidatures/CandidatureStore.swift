import Foundation
import PostgresNIO

/// What the registration rules read beyond the candidature they judge, inside the transaction
/// of the change. PostgreSQL keeps it (`CandidatureRepository.EnTransaction`); the rule tests
/// keep it in memory, so the rules of `ControleCandidature` are checked without a database.
protocol CandidatureStore: Sendable {
    /// The active (not cancelled) candidature of this candidat in the session, other than `sauf`.
    func autreCandidature(candidat: UUID, session: String, sauf: UUID?) async throws -> (numero: String, specialite: String)?
    /// The numéro of an active candidature in the session of another candidat with this identity
    /// key (`Candidat.cleIdentite`).
    func homonyme(cle: String, candidat: UUID, session: String) async throws -> String?
    /// Types of the candidature's pieces that are received or accepted (not refused).
    func piecesValables(_ candidature: UUID) async throws -> Set<String>
}

extension CandidatureRepository {
    /// The repository bound to the connection of a transaction: the rules' store in PostgreSQL.
    struct EnTransaction: CandidatureStore {
        let candidatures: CandidatureRepository
        let connection: PostgresConnection

        func autreCandidature(candidat: UUID, session: String, sauf: UUID?) async throws -> (numero: String, specialite: String)? {
            try await candidatures.autreCandidature(candidat: candidat, session: session, sauf: sauf, on: connection)
        }

        func homonyme(cle: String, candidat: UUID, session: String) async throws -> String? {
            try await candidatures.homonyme(cle: cle, candidat: candidat, session: session, on: connection)
        }

        func piecesValables(_ candidature: UUID) async throws -> Set<String> {
            try await candidatures.piecesValables(candidature, on: connection)
        }
    }

    func dans(_ connection: PostgresConnection) -> EnTransaction {
        EnTransaction(candidatures: self, connection: connection)
    }
}
