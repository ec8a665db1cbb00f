import Domain
import Foundation
import Messaging

/// `evaluation.lots.crees` v1 — lots were made for a unit (each open, not locked). With
/// `evaluation.lot.verrouille` it lets réglementation know which lots of a session are still
/// unlocked, so that closing the `collecte_notes` step is refused while grading goes on.
public struct LotsCrees: MessageContract, Equatable {
    public static let type = "evaluation.lots.crees"
    public static let version = 1

    public var session: SessionCode
    public var unite: String
    /// The lots' ids (lowercased UUIDs) with their number in the unit.
    public var lots: [Lot]

    public struct Lot: Codable, Sendable, Equatable {
        public var lot: String
        public var numero: Int

        public init(lot: String, numero: Int) {
            self.lot = lot
            self.numero = numero
        }
    }

    public init(session: SessionCode, unite: String, lots: [Lot]) {
        self.session = session
        self.unite = unite
        self.lots = lots
    }
}
