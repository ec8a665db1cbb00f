import Domain
import Foundation
import Messaging

/// `organisation.absence.constatee` v1 — the centre recorded a copy's candidate absent (ABS) or
/// absent with a justification (ABJ), or withdrew that record (`present`). Anonymous like
/// `anonymat.attribue`: evaluation and deliberation both consume it.
public struct AbsenceConstatee: MessageContract, Equatable {
    public static let type = "organisation.absence.constatee"
    public static let version = 1

    public enum Statut: String, Codable, Sendable, CaseIterable {
        case present
        /// Absent without justification.
        case abs = "ABS"
        /// Absent for duly established force majeure (with its piece).
        case abj = "ABJ"
    }

    public var session: SessionCode
    public var unite: String
    public var numeroAnonymat: String
    public var statut: Statut
    public var revision: Int

    public init(session: SessionCode, unite: String, numeroAnonymat: String, statut: Statut, revision: Int) {
        self.session = session
        self.unite = unite
        self.numeroAnonymat = numeroAnonymat
        self.statut = statut
        self.revision = revision
    }
}
