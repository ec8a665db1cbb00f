import Domain
import Foundation
import Messaging

/// `reglementation.session.close` v1 — a session was closed: its data stays readable, no step
/// opens any more and établissements lose access.
public struct SessionClose: MessageContract, Equatable {
    public static let type = "reglementation.session.close"
    public static let version = 1

    public var session: SessionCode
    public var academie: String
    /// Who closed it (the gestionnaire's subject).
    public var closePar: String

    public init(session: SessionCode, academie: String, closePar: String) {
        self.session = session
        self.academie = academie
        self.closePar = closePar
    }
}
