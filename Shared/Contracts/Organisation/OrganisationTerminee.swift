import Domain
import Foundation
import Messaging

/// `organisation.terminee` v1 — the organisation of a session is complete (every épreuve placed,
/// convocations generated): organisation's declaration to réglementation, which then lets the
/// gestionnaire close the `organisation` step. IMAG'IN is told of the step's end once, by
/// `reglementation.etape.terminee` when the step closes — not from this event.
public struct OrganisationTerminee: MessageContract, Equatable {
    public static let type = "organisation.terminee"
    public static let version = 1

    public var session: SessionCode
    public var candidats: Int
    public var epreuvesPlacees: Int
    public var terminePar: String

    public init(session: SessionCode, candidats: Int, epreuvesPlacees: Int, terminePar: String) {
        self.session = session
        self.candidats = candidats
        self.epreuvesPlacees = epreuvesPlacees
        self.terminePar = terminePar
    }
}
