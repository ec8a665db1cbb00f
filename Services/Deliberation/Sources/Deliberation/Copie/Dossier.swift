import Contracts
import Domain
import Foundation
import MoteurDeliberation

/// A candidate as the jury deliberates him: his validated candidature and the consolidated
/// grades of the units he sat, joined through the anonymity link. No identity here: the
/// deliberation is anonymous until the jury closes.
struct Dossier: Sendable {
    var id: UUID
    var numero: String
    var specialite: String
    var forme: FormePassage
    var categorie: String
    var etablissement: String?
    var unites: [UniteInscrite]
    /// This session's consolidated grade of each unit sat (`ABS`, `ABJ`, `DI` included).
    var notes: [String: Note]

    /// What keeps a unit from counting yet.
    struct Manque: Sendable, Equatable, Encodable {
        var unite: String
        var motif: String
    }

    /// The engine's situation at `session`, and what is missing from it: a unit sat whose
    /// grade is not consolidated yet counts as `NN` (the decision waits: « incomplet »); so does
    /// a bénéfice whose session or day of obtention the candidature does not give.
    func situation(_ session: SessionDeliberee) -> (Situation, [Manque]) {
        var resultats: [Resultat] = []
        var manques: [Manque] = []
        for unite in unites {
            switch unite.situation {
            case .presentee:
                if let note = notes[unite.code] {
                    resultats.append(.code(unite.code, note))
                } else {
                    resultats.append(.code(unite.code, .nonSaisie))
                    manques.append(Manque(unite: unite.code, motif: "note non consolidée"))
                }
            case .dispense:
                resultats.append(.dispense(unite.code))
            case .ulterieure:
                // Left for a later session: no result now (the engine says « en cours »).
                continue
            case .benefice, .reportee:
                if let valeur = unite.noteConservee, let note = try? Centiemes(valeur),
                   let texte = unite.sessionOrigine, let origine = try? SessionCode(texte),
                   let jour = unite.obtenueLe, let obtenueLe = try? Jour(iso: jour)
                {
                    resultats.append(Resultat(unite: unite.code, origine: .anterieure(note: note, session: origine, obtenueLe: obtenueLe)))
                } else {
                    resultats.append(.code(unite.code, .nonSaisie))
                    manques.append(Manque(unite: unite.code, motif: "note antérieure sans note, session ou date d'obtention"))
                }
            }
        }
        let forme: Forme = forme == .progressive ? .progressive : .globale
        return (Situation(candidat: numero, forme: forme, session: session, resultats: resultats), manques)
    }
}
