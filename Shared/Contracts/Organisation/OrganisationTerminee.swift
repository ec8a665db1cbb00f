import Domain
import Foundation
import Messaging

/// `organisation.terminee` v1 — the organisation of a session is complete (every épreuve placed,
/// convocations generated): the connector notifies IMAG'IN.
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
