import Domain
import Foundation
import Messaging

/// `deliberation.jury.clos` v1 — a jury closed and its président signed the PV de tenue (version
/// `versionPV`: 2 and more after a reopening). Its candidates' results came just before, one
/// `deliberation.resultat.arrete` each.
public struct JuryClos: MessageContract, Equatable {
    public static let type = "deliberation.jury.clos"
    public static let version = 1

    public var session: SessionCode
    public var jury: String
    public var specialite: String
    public var candidats: Int
    public var admis: Int
    public var versionPV: Int
    public var closPar: String

    public init(session: SessionCode, jury: String, specialite: String, candidats: Int, admis: Int, versionPV: Int, closPar: String) {
        self.session = session
        self.jury = jury
        self.specialite = specialite
        self.candidats = candidats
        self.admis = admis
        self.versionPV = versionPV
        self.closPar = closPar
    }
}
