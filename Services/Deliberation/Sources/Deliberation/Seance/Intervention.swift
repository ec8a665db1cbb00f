import Domain
import Foundation
import MoteurDeliberation

/// What a jury decided beyond the engine for one candidate, with its mandatory reason: a grade of
/// this session raised (points de jury on a unit), or the decision raised to admis.
struct Intervention: Sendable, Encodable, Equatable {
    /// The unit raised; "" for the decision.
    var unite: String
    /// The grade the jury set, in hundredths.
    var note: Int?
    /// `admis` when the jury raised the decision.
    var decision: String?
    var motif: String
    var par: String
    var le: Date

    var surDecision: Bool { unite.isEmpty }

    /// The candidate's situation with the jury's grades in place of this session's: only a grade
    /// of this session is ever raised (the engine's rule for jury points).
    static func appliquer(_ interventions: [Intervention], a situation: inout Situation) {
        for intervention in interventions where !intervention.surDecision {
            guard let valeur = intervention.note, let note = try? Centiemes(valeur) else { continue }
            for index in situation.resultats.indices where situation.resultats[index].unite == intervention.unite {
                if case .session(.valeur) = situation.resultats[index].origine {
                    situation.resultats[index].origine = .session(note: .valeur(note))
                }
            }
        }
    }

    /// The engine's answer, then the jury's sovereign decision: an ajourné with an average raised
    /// to admis (never a candidate blocked by an unjustified absence, incomplete or absent). The
    /// explanation says what the jury did and why.
    static func conclure(_ deliberation: Deliberation, _ interventions: [Intervention], notes: [String: Note]) -> (Deliberation, Bool) {
        var resultat = deliberation
        for intervention in interventions where !intervention.surDecision {
            if let valeur = intervention.note, let note = try? Centiemes(valeur) {
                let avant = notes[intervention.unite].map(\.affichage) ?? "—"
                resultat.explication.append(
                    "Points de jury sur \(intervention.unite) : \(avant) → \(note.affichage) — motif : \(intervention.motif)")
            }
        }
        guard let decision = interventions.first(where: \.surDecision), decision.decision == Decision.admis.rawValue,
              resultat.decision == .ajourne, resultat.moyenne != nil
        else { return (resultat, false) }
        resultat.decision = .admis
        resultat.acquis = []
        resultat.reportables = []
        resultat.attestationDeReussite = false
        resultat.sessionDeRemplacement = false
        resultat.unitesARemplacer = []
        resultat.pointsDeJury = nil
        resultat.explication.append("Décision du jury : admis — motif : \(decision.motif)")
        return (resultat, true)
    }
}
