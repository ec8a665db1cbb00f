import Domain
import Foundation
import Messaging

/// `reglementation.service.ferme` v1 — a step service of a session was closed.
public struct ServiceFerme: MessageContract, Equatable {
    public static let type = "reglementation.service.ferme"
    public static let version = 1

    public var session: SessionCode
    public var service: ServiceEtape
    /// Who closed it (the gestionnaire's subject).
    public var fermePar: String

    public init(session: SessionCode, service: ServiceEtape, fermePar: String) {
        self.session = session
        self.service = service
        self.fermePar = fermePar
    }
}
