import Domain
import Foundation
import Messaging

/// `evaluation.lot.verrouille` v1 — a grader (or the établissement for its CCF lot) locked the
/// entry of a lot; sent again with `verrouille: false` when the gestionnaire unlocks it.
public struct LotVerrouille: MessageContract, Equatable {
    public static let type = "evaluation.lot.verrouille"
    public static let version = 1

    public var session: SessionCode
    public var lot: String
    public var unite: String
    public var copies: Int
    public var verrouille: Bool
    public var par: String
    /// The gestionnaire's reason, for an unlock.
    public var motif: String?

    public init(session: SessionCode, lot: String, unite: String, copies: Int, verrouille: Bool, par: String, motif: String?) {
        self.session = session
        self.lot = lot
        self.unite = unite
        self.copies = copies
        self.verrouille = verrouille
        self.par = par
        self.motif = motif
    }
}
