import Domain
import Foundation
import Messaging

/// `reglementation.service.ouvert` v1 — a step service of a session was opened (or reopened).
public struct ServiceOuvert: MessageContract, Equatable {
    public static let type = "reglementation.service.ouvert"
    public static let version = 1

    public var session: SessionCode
    public var service: ServiceEtape
    /// Who opened it (the gestionnaire's subject).
    public var ouvertPar: String
    /// Planned closing day, `YYYY-MM-DD`, when known.
    public var fermeturePrevue: String?
    /// True when the service had been closed before and is opened again.
    public var reouverture: Bool

    public init(session: SessionCode, service: ServiceEtape, ouvertPar: String, fermeturePrevue: String? = nil, reouverture: Bool = false) {
        self.session = session
        self.service = service
        self.ouvertPar = ouvertPar
        self.fermeturePrevue = fermeturePrevue
        self.reouverture = reouverture
    }
}
