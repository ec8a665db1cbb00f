import Domain
import Foundation
import Messaging

/// `reglementation.centre.retire` v1 — an établissement is no longer a centre of the session.
public struct CentreRetire: MessageContract, Equatable {
    public static let type = "reglementation.centre.retire"
    public static let version = 1

    public var session: SessionCode
    public var uai: UAI
    /// Who withdrew it.
    public var retirePar: String

    public init(session: SessionCode, uai: UAI, retirePar: String) {
        self.session = session
        self.uai = uai
        self.retirePar = retirePar
    }
}
