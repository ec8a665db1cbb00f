import Contracts
import Domain
import Foundation
import ServiceKit

/// The rules of registration (DOMAIN.md step 2 and the rules of award), checked at validation
/// and at every change of a validated candidature. Each refusal names its field in French.
struct ReglesInscription: Sendable {
    let session: SessionInscription
    let candidat: Candidat
    let choix: Choix
    /// The établissement d'inscription, when the candidature names one.
    let centre: CentreInscription?
    let appelant: InternalIdentity
    /// Types of the candidature's pieces that are received or accepted (not refused).
    let piecesValables: Set<String>
    /// The choices as validated before, for a change after validation.
    let choixValide: Choix?

    /// What validation computes: the units sat and how.
    struct Resultat: Sendable {
        var categorieReglementaire: CategorieCandidat
        var unites: [UniteInscrite]
        var reglementVersion: Int
    }

    static let dureeBeneficeAnnees = 5

    func verifier() throws(ServiceError) -> Resultat {
        var v = Verification()
        if session.close {
            v.erreur("session", "session.close", "La session \(session.code.value) est close : plus aucune inscription n'y est possible.")
        }
        let service = SessionInscription.service(pour: choix.categorie)
        if appelant.role != .gestionnaire && !session.servicesOuverts.contains(service) {
            v.erreur("categorie", "inscription.service_ferme",
                     "Le service d'\(service.libelle) de la session \(session.code.value) est fermé : un candidat \(choix.categorie.libelle) ne peut pas être inscrit ou modifié maintenant.")
        }

        let categorieReglementaire = self.categorieReglementaire(&v)
        guard let reglement = session.reglement else {
            v.erreur("specialite", "reglement.absent", "Le règlement de la session \(session.code.value) n'est pas encore publié : aucune spécialité n'est ouverte.")
            try v.verifier()
            throw ServiceError.invalid("reglement.absent", "Règlement absent.")
        }
        guard let offerte = session.specialite(choix.specialite) else {
            v.erreur("specialite", "candidature.specialite_non_offerte",
                     "La spécialité \(choix.specialite) n'est pas proposée dans l'académie pour la session \(session.code.value).")
            try v.verifier()
            throw ServiceError.invalid("candidature.specialite_non_offerte", "Spécialité non proposée.")
        }

        if choix.categorie == .apprenti && choix.forme != .globale {
            v.erreur("forme", "candidature.forme_apprenti", "Un apprenti passe le BP en forme globale : la forme progressive ne lui est pas ouverte.")
        }
        if let avant = choixValide, avant.forme != choix.forme {
            v.erreur("forme", "candidature.forme_definitive",
                     "Le choix de la forme (\(avant.forme.libelle)) est définitif depuis la validation de la candidature.")
        }

        let unites = self.unites(offerte, categorieReglementaire ?? .individuel, &v)

        try v.verifier()
        return Resultat(categorieReglementaire: categorieReglementaire ?? .individuel, unites: unites, reglementVersion: reglement.version)
    }

    /// apprenti / FPC get their règlement category from the établissement's habilitations.
    private func categorieReglementaire(_ v: inout Verification) -> CategorieCandidat? {
        switch choix.categorie {
        case .individuel: return .individuel
        case .enseignementADistance, .apprenti, .fpc:
            guard let uai = choix.uai else { return nil }
            guard let centre, !centre.retire, centre.roles.contains(.inscription) else {
                v.erreur("uai", "candidature.etablissement_inconnu",
                         "L'établissement \(uai) n'est pas centre d'inscription de la session \(session.code.value).")
                return nil
            }
            switch choix.categorie {
            case .apprenti: return centre.habilitationCFA ? .apprentiCFAHabilite : .apprentiCFANonHabilite
            case .fpc: return centre.secteurPublic && centre.habilitationFPC ? .fpcPublicHabilite : .fpcPrive
            default: return .enseignementADistance
            }
        }
    }

    /// Every unit of the spécialité for this candidate: the compulsory ones (one option per
    /// option group), at most one facultative, with bénéfices and dispenses applied.
    private func unites(_ offerte: SpecialiteOfferte, _ categorie: CategorieCandidat, _ v: inout Verification) -> [UniteInscrite] {
        let reglement = offerte.reglement
        var resultat: [UniteInscrite] = []
        var optionsUtilisees: Set<String> = []
        var facultativesConnues: [String: (Epreuve, Unite)] = [:]

        for epreuve in reglement.epreuves {
            if epreuve.facultative {
                for unite in epreuve.unites { facultativesConnues[unite.code] = (epreuve, unite) }
                continue
            }
            var retenues = epreuve.unites
            if epreuve.auChoix {
                let offertes = epreuve.unites.filter { offerte.optionsOffertes.isEmpty || offerte.optionsOffertes.contains($0.code) }
                let choisies = offertes.filter { choix.options.contains($0.code) }
                if choisies.count != 1 {
                    let liste = offertes.map { "\($0.code) (\($0.libelle))" }.joined(separator: ", ")
                    v.erreur("options", "candidature.option",
                             "L'épreuve \(epreuve.code) \(epreuve.libelle) se passe au choix : choisissez une et une seule option parmi \(liste).")
                }
                retenues = choisies.prefix(1).map { $0 }
                optionsUtilisees.formUnion(choisies.map(\.code))
            }
            for unite in retenues {
                resultat.append(UniteInscrite(
                    code: unite.code, epreuve: epreuve.code, libelle: unite.libelle, coefficient: unite.coefficient,
                    facultative: false, situation: .presentee, mode: unite.modes[categorie] ?? .ponctuel))
            }
        }
        for option in choix.options where !optionsUtilisees.contains(option) {
            v.erreur("options", "candidature.option_inconnue", "L'option \(option) n'existe pas ou n'est pas proposée pour la spécialité \(reglement.specialite).")
        }

        if choix.facultatives.count > 1 {
            v.erreur("facultatives", "candidature.facultatives",
                     "Un candidat choisit au plus une unité facultative (\(choix.facultatives.count) demandées : \(choix.facultatives.joined(separator: ", "))).")
        }
        for code in choix.facultatives.prefix(1) {
            guard let (epreuve, unite) = facultativesConnues[code] else {
                v.erreur("facultatives", "candidature.facultative_inconnue", "L'unité facultative \(code) n'existe pas dans le règlement de la spécialité \(reglement.specialite).")
                continue
            }
            resultat.append(UniteInscrite(
                code: unite.code, epreuve: epreuve.code, libelle: unite.libelle, coefficient: nil, facultative: true,
                situation: .presentee, mode: unite.modes[categorie] ?? .ponctuel))
        }

        let limite = Self.jourMoinsAnnees(session.jourDeReference, Self.dureeBeneficeAnnees)
        var dejaTraitees: Set<String> = []
        for (index, benefice) in choix.benefices.enumerated() {
            let lieu = "benefices[\(index)]"
            guard let position = resultat.firstIndex(where: { $0.code == benefice.unite && !$0.facultative }) else {
                v.erreur("\(lieu).unite", "benefice.unite", "L'unité \(benefice.unite) ne fait pas partie des unités du candidat en \(reglement.specialite).")
                continue
            }
            if !dejaTraitees.insert(benefice.unite).inserted {
                v.erreur("\(lieu).unite", "benefice.double", "L'unité \(benefice.unite) est déclarée deux fois en bénéfice ou dispense.")
                continue
            }
            // Below 10, a grade is carried only in the forme progressive (DOMAIN.md, the rules of award).
            let reportee = benefice.note < 1000
            if reportee && choix.forme != .progressive {
                v.erreur("\(lieu).note", "benefice.note_insuffisante",
                         "Un bénéfice ne se garde que pour une note d'au moins 10/20 (unité \(benefice.unite) : \(Self.note(benefice.note))/20) ; "
                            + "une note inférieure ne se reporte qu'en forme progressive.")
                continue
            }
            if benefice.dateObtention < limite || benefice.dateObtention > session.jourDeReference {
                v.erreur("\(lieu).dateObtention", "benefice.perime",
                         "Le bénéfice de l'unité \(benefice.unite) obtenu le \(DateFrancaise.jour(benefice.dateObtention)) n'est plus valable : une note se garde \(Self.dureeBeneficeAnnees) ans (depuis le \(DateFrancaise.jour(limite))).")
                continue
            }
            resultat[position].situation = reportee ? .reportee : .benefice
            resultat[position].mode = nil
            resultat[position].noteConservee = benefice.note
            resultat[position].sessionOrigine = benefice.session
            resultat[position].obtenueLe = benefice.dateObtention
        }
        for (index, dispense) in choix.dispenses.enumerated() {
            let lieu = "dispenses[\(index)]"
            guard let position = resultat.firstIndex(where: { $0.code == dispense.unite && !$0.facultative }) else {
                v.erreur("\(lieu).unite", "dispense.unite", "L'unité \(dispense.unite) ne fait pas partie des unités du candidat en \(reglement.specialite).")
                continue
            }
            if !dejaTraitees.insert(dispense.unite).inserted {
                v.erreur("\(lieu).unite", "dispense.double", "L'unité \(dispense.unite) est déclarée deux fois en bénéfice ou dispense.")
                continue
            }
            if !piecesValables.contains(TypePiece.dispense) {
                v.erreur("\(lieu)", "dispense.piece_manquante",
                         "La dispense de l'unité \(dispense.unite) demande sa pièce justificative (diplôme ou relevé) : déposez-la avant de valider.")
                continue
            }
            resultat[position].situation = .dispense
            resultat[position].mode = nil
        }
        if !choix.ulterieures.isEmpty && choix.forme != .progressive {
            v.erreur("ulterieures", "candidature.ulterieures_globale",
                     "En forme globale, toutes les unités se présentent à la même session : seule la forme progressive permet d'en laisser pour une session ultérieure.")
        } else {
            for (index, code) in choix.ulterieures.enumerated() {
                let lieu = "ulterieures[\(index)]"
                guard let position = resultat.firstIndex(where: { $0.code == code && !$0.facultative }) else {
                    v.erreur(lieu, "ulterieure.unite", "L'unité \(code) ne fait pas partie des unités obligatoires du candidat en \(reglement.specialite).")
                    continue
                }
                if !dejaTraitees.insert(code).inserted {
                    v.erreur(lieu, "ulterieure.double", "L'unité \(code) est déjà déclarée (bénéfice, note reportée, dispense ou session ultérieure).")
                    continue
                }
                resultat[position].situation = .ulterieure
                resultat[position].mode = nil
            }
        }
        if choix.forme == .progressive && !resultat.contains(where: { !$0.facultative && $0.situation == .presentee }) {
            v.erreur("ulterieures", "candidature.aucune_unite",
                     "Un candidat en forme progressive présente au moins une unité obligatoire à cette session.")
        }
        return resultat
    }

    static func jourMoinsAnnees(_ jour: String, _ annees: Int) -> String {
        guard let annee = Int(jour.prefix(4)) else { return jour }
        return String(format: "%04d", annee - annees) + jour.dropFirst(4)
    }

    static func note(_ centiemes: Int) -> String {
        (try? Centiemes(centiemes).affichage) ?? "\(centiemes)"
    }
}
