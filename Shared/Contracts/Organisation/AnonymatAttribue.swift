import Domain
import Foundation
import Messaging

/// `organisation.anonymat.attribue` v1 — the numéros d'anonymat of one unit's copies in one
/// centre. For evaluation: it carries NO identity (no name, birth date, INE, numéro candidat,
/// candidature id); the link copy ↔ candidate stays in organisation until `anonymat.leve`.
/// Sent again when copies are added or withdrawn (the list is the whole current list).
public struct AnonymatAttribue: MessageContract, Equatable {
    public static let type = "organisation.anonymat.attribue"
    public static let version = 1

    public var session: SessionCode
    public var specialite: String
    public var epreuve: String
    public var unite: String
    public var forme: String
    public var mode: ModeEvaluationAffectation
    /// The centre where the copies are written (or the établissement, for CCF).
    public var centre: UAI
    /// Local date and time of the sitting `YYYY-MM-DDTHH:MM`, when known.
    public var debut: String?
    /// The unit's grading step (hundredths: 25 = 0.25 point).
    public var pasCentiemes: Int
    /// Every copy of this unit in this centre, by numéro d'anonymat.
    public var copies: [String]
    public var revision: Int

    public init(session: SessionCode, specialite: String, epreuve: String, unite: String, forme: String, mode: ModeEvaluationAffectation,
                centre: UAI, debut: String?, pasCentiemes: Int, copies: [String], revision: Int) {
        self.session = session
        self.specialite = specialite
        self.epreuve = epreuve
        self.unite = unite
        self.forme = forme
        self.mode = mode
        self.centre = centre
        self.debut = debut
        self.pasCentiemes = pasCentiemes
        self.copies = copies
        self.revision = revision
    }
}
