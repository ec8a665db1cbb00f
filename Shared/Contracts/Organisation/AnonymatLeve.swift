import Domain
import Foundation
import Messaging

/// `organisation.anonymat.leve` v1 — after evaluation consolidated a unit's grades, the link
/// copy ↔ candidate for that unit, for deliberation only (evaluation does not consume it).
public struct AnonymatLeve: MessageContract, Equatable {
    public static let type = "organisation.anonymat.leve"
    public static let version = 1

    public struct Correspondance: Codable, Sendable, Equatable {
        public var numeroAnonymat: String
        public var candidature: UUID
        public var numeroCandidat: String

        public init(numeroAnonymat: String, candidature: UUID, numeroCandidat: String) {
            self.numeroAnonymat = numeroAnonymat
            self.candidature = candidature
            self.numeroCandidat = numeroCandidat
        }
    }

    public var session: SessionCode
    public var unite: String
    public var correspondances: [Correspondance]

    public init(session: SessionCode, unite: String, correspondances: [Correspondance]) {
        self.session = session
        self.unite = unite
        self.correspondances = correspondances
    }
}
