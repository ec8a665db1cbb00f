import Domain
import Foundation
import Messaging

/// `organisation.candidat.affecte` v1 — a candidate's épreuve (one unit) is placed: centre, and
/// once seated, room, date and seat. Sent again, with a higher `revision`, at every change.
public struct CandidatAffecte: MessageContract, Equatable {
    public static let type = "organisation.candidat.affecte"
    public static let version = 1

    public var session: SessionCode
    /// The candidature (inscription's id) and its numéro candidat.
    public var candidature: UUID
    public var numeroCandidat: String
    public var specialite: String
    public var epreuve: String
    public var unite: String
    public var mode: ModeEvaluationAffectation
    public var centre: UAI
    public var salle: String?
    /// Local date and time `YYYY-MM-DDTHH:MM`, when known.
    public var debut: String?
    /// Duration in minutes, extra time included.
    public var dureeMinutes: Int?
    public var place: Int?
    public var revision: Int

    public init(session: SessionCode, candidature: UUID, numeroCandidat: String, specialite: String, epreuve: String, unite: String,
                mode: ModeEvaluationAffectation, centre: UAI, salle: String?, debut: String?, dureeMinutes: Int?, place: Int?, revision: Int) {
        self.session = session
        self.candidature = candidature
        self.numeroCandidat = numeroCandidat
        self.specialite = specialite
        self.epreuve = epreuve
        self.unite = unite
        self.mode = mode
        self.centre = centre
        self.salle = salle
        self.debut = debut
        self.dureeMinutes = dureeMinutes
        self.place = place
        self.revision = revision
    }
}

/// CCF or ponctuel, as placed.
public enum ModeEvaluationAffectation: String, Codable, Sendable, CaseIterable {
    case ccf
    case ponctuel
}
