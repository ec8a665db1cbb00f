import Domain
import Foundation
import Messaging

/// `reglementation.etape.terminee` v1 — the réglementation, organisation or notation step of a
/// session is finished (its service was closed); the connector notifies IMAG'IN.
public struct EtapeTerminee: MessageContract, Equatable {
    public static let type = "reglementation.etape.terminee"
    public static let version = 1

    public var session: SessionCode
    public var academie: String
    public var etape: EtapeSession
    /// Who closed the step's service.
    public var termineePar: String

    public init(session: SessionCode, academie: String, etape: EtapeSession, termineePar: String) {
        self.session = session
        self.academie = academie
        self.etape = etape
        self.termineePar = termineePar
    }
}
