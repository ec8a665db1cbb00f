import Domain
import Foundation
import PostgresNIO

/// What assignment to centres reads and writes, inside the transaction that holds the session's
/// placement lock. PostgreSQL keeps it (`AffectationRepository.EnTransaction`); the rule tests
/// keep it in memory, so the rules of `AffectationCentres` are checked without a database.
protocol AffectationStore: Sendable {
    /// The centres épreuve of the session (not withdrawn), among `autorises` when it is not empty.
    func centresEpreuve(session: SessionCode, parmi autorises: [String]) async throws -> [CentreEpreuve]
    /// A centre of the session with its rooms, whatever its roles.
    func centre(_ uai: String, session: SessionCode) async throws -> CentreEpreuve?
    /// Ponctual épreuves-candidats of the session (of the regroupement, of the candidature when
    /// given), of active candidatures: the unplaced ones, or all of them when `reprendre`.
    func aPlacer(session: String, regroupement: UUID?, reprendre: Bool, candidature: UUID?) async throws -> [AffectationRepository.EpreuveAPlacer]
    /// What every sitting of every centre holds now (placed ponctual épreuves), by need.
    func charges(session: String) async throws -> [String: [String: Besoin]]
    /// Places épreuves-candidats in centres.
    func placer(_ placements: [(candidature: UUID, unite: String, centre: String)], regroupement: UUID?, origine: String) async throws
    /// Records why épreuves-candidats could not be placed (they lose any previous centre).
    func nonPlacees(_ motifs: [(candidature: UUID, unite: String, motif: String)]) async throws
}

extension AffectationRepository {
    /// The repositories bound to the connection of a transaction: assignment's store in PostgreSQL.
    struct EnTransaction: AffectationStore {
        let affectations: AffectationRepository
        let referentiel: ReferentielRepository
        let connection: PostgresConnection

        func centresEpreuve(session: SessionCode, parmi autorises: [String]) async throws -> [CentreEpreuve] {
            try await referentiel.centres(session: session, on: connection)
                .filter { $0.estCentreEpreuve && (autorises.isEmpty || autorises.contains($0.uai)) }
        }

        func centre(_ uai: String, session: SessionCode) async throws -> CentreEpreuve? {
            try await referentiel.centre(uai, session: session, on: connection)
        }

        func aPlacer(session: String, regroupement: UUID?, reprendre: Bool, candidature: UUID?) async throws -> [EpreuveAPlacer] {
            try await affectations.aPlacer(session: session, regroupement: regroupement, reprendre: reprendre, candidature: candidature, on: connection)
        }

        func charges(session: String) async throws -> [String: [String: Besoin]] {
            try await affectations.charges(session: session, on: connection)
        }

        func placer(_ placements: [(candidature: UUID, unite: String, centre: String)], regroupement: UUID?, origine: String) async throws {
            try await affectations.placer(placements, regroupement: regroupement, origine: origine, on: connection)
        }

        func nonPlacees(_ motifs: [(candidature: UUID, unite: String, motif: String)]) async throws {
            try await affectations.nonPlacees(motifs, on: connection)
        }
    }

    func dans(_ connection: PostgresConnection, referentiel: ReferentielRepository) -> EnTransaction {
        EnTransaction(affectations: self, referentiel: referentiel, connection: connection)
    }
}
