import Contracts
import Domain
import Foundation
import MoteurDeliberation
import ServiceKit

/// The « what if » of the jury and the gestionnaire's answer to a candidate's question: a
/// situation typed in (units with grades or ABS/ABJ/DI/NN, form, bénéfices, dispenses, the
/// facultative) deliberated by the engine under the session's published règlement. Nothing is
/// stored.
enum Simulation {
    /// What the simulation page sends.
    struct Demande: Decodable, Sendable {
        var specialite: String
        var forme: Forme
        /// The day of the deliberation, `AAAA-MM-JJ` (today when absent): it dates the units
        /// obtained now and bounds the 5-year validity of earlier grades.
        var dateDeliberation: String?
        var resultats: [Ligne]

        /// One result of one unit: exactly one of a grade of this session, a dispense, an
        /// earlier grade.
        struct Ligne: Decodable, Sendable {
            var unite: String
            /// This session: `12,50`, `ABS`, `ABJ`, `DI` or `NN`.
            var note: String?
            var dispense: Bool?
            var anterieure: Anterieure?
        }

        struct Anterieure: Decodable, Sendable {
            var note: String
            var session: String
            /// `AAAA-MM-JJ`.
            var obtenueLe: String
        }
    }

    /// The engine's answer, with the barème it applied and what a page shows as it is (the
    /// decision's French label, the average truncated to two decimals: « 9,99 », never « 10,00 »
    /// for an average below 10).
    struct Reponse: Encodable, Sendable {
        var session: String
        var versionReglement: Int
        var bareme: Bareme
        var deliberation: Deliberation
        var decision: String
        var moyenne: String?

        init(session: String, versionReglement: Int, bareme: Bareme, deliberation: Deliberation) {
            self.session = session
            self.versionReglement = versionReglement
            self.bareme = bareme
            self.deliberation = deliberation
            decision = deliberation.decision.libelle
            moyenne = deliberation.moyenne?.affichage
        }
    }

    /// The situation of `demande`, each field checked with a French message naming it.
    static func situation(_ demande: Demande, session: SessionCode, aujourdhui: Jour) throws(ServiceError) -> Situation {
        var verification = Verification()
        var date = aujourdhui
        if let texte = demande.dateDeliberation {
            do { date = try Jour(iso: texte) } catch { verification.erreur("dateDeliberation", error) }
        }
        if demande.resultats.count > Situation.maximumResultats {
            verification.erreur(
                "resultats", "deliberation.resultat",
                "Trop de résultats (\(demande.resultats.count)) : au plus \(Situation.maximumResultats).")
            try verification.verifier()
        }
        var resultats: [Resultat] = []
        for (index, ligne) in demande.resultats.enumerated() {
            let champ = "resultats[\(index)]"
            let unite = String(ligne.unite.trimmingCharacters(in: .whitespaces).uppercased().prefix(40))
            let renseignes = [ligne.note != nil, ligne.dispense == true, ligne.anterieure != nil].filter { $0 }.count
            guard renseignes == 1 else {
                verification.erreur(
                    champ, "deliberation.resultat",
                    "Unité \(unite) : indiquez une seule chose — une note de la session, une dispense ou une note antérieure.")
                continue
            }
            do throws(DomainError) {
                if let note = ligne.note {
                    resultats.append(.code(unite, try Note.parse(note, pas: .centieme)))
                } else if let anterieure = ligne.anterieure {
                    guard case .valeur(let valeur) = try Note.parse(anterieure.note, pas: .centieme) else {
                        throw DomainError(
                            code: "deliberation.note",
                            message: "Unité \(unite) : une note antérieure est une note entre 0 et 20, pas un code (ABS, ABJ, DI, NN).")
                    }
                    resultats.append(Resultat(unite: unite, origine: .anterieure(
                        note: valeur, session: try SessionCode(anterieure.session), obtenueLe: try Jour(iso: anterieure.obtenueLe))))
                } else {
                    resultats.append(.dispense(unite))
                }
            } catch {
                verification.erreur(champ, error)
            }
        }
        try verification.verifier()
        return Situation(forme: demande.forme, session: SessionDeliberee(code: session, date: date), resultats: resultats)
    }
}
