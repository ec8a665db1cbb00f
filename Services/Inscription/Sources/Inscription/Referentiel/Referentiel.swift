import Contracts
import Foundation
import Referentiel

/// Inscription's copy of the réglementation is the one every service keeps: written by the
/// consumer only, read by every rule of registration.
typealias ReferentielRepository = ReferentielReglementation

/// A session as registration sees it.
typealias SessionInscription = SessionReferentiel

extension SessionReferentiel {
    /// The step service a candidate of `categorie` registers through.
    static func service(pour categorie: CategorieInscription) -> ServiceEtape {
        categorie == .individuel ? .inscriptionGrandPublic : .inscriptionEtablissement
    }

    func specialite(_ code: String) -> SpecialiteOfferte? {
        reglement?.specialites.first { $0.reglement.specialite == code }
    }

    /// The day the session starts (first day of tests, else the first of its month): the
    /// reference for the 5 years a bénéfice lasts.
    var jourDeReference: String {
        debutEpreuves ?? String(format: "%04d-%02d-01", code.annee, code.mois)
    }
}

/// A centre of the session as registration sees it.
typealias CentreInscription = CentreReferentiel

extension CentreReferentiel {
    var secteurPublic: Bool { secteur == .public }
}
