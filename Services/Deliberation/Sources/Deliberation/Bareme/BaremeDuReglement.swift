import Contracts
import MoteurDeliberation

/// The rules of award read the règlement as data: a spécialité of the session's published
/// règlement becomes the engine's `Bareme` — one unit per `Unite` of every `Epreuve`, in the
/// règlement's order, facultative with its épreuve, in an option group (the épreuve's code) when
/// the épreuve is `auChoix`. Options the académie does not offer are left out: nobody can have
/// chosen them.
enum BaremeDuReglement {
    static func bareme(_ offerte: SpecialiteOfferte) -> Bareme {
        let offertes = Set(offerte.optionsOffertes)
        var unites: [UniteDuBareme] = []
        for epreuve in offerte.reglement.epreuves {
            for unite in epreuve.unites {
                if epreuve.auChoix, !offertes.isEmpty, !offertes.contains(unite.code) { continue }
                unites.append(UniteDuBareme(
                    code: unite.code, libelle: unite.libelle,
                    coefficient: epreuve.facultative ? nil : unite.coefficient,
                    facultative: epreuve.facultative,
                    groupeOption: epreuve.auChoix && !epreuve.facultative ? epreuve.code : nil))
            }
        }
        return Bareme(specialite: offerte.reglement.specialite, unites: unites)
    }

    /// The barème of `specialite` in the session's règlement, or nil when it does not offer it.
    static func bareme(_ specialite: String, dans reglement: ReglementPublie) -> Bareme? {
        reglement.specialites.first { $0.reglement.specialite == specialite }.map(bareme)
    }
}
