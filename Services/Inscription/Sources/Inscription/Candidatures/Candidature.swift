import Contracts
import Domain
import Foundation
import Hummingbird

/// The state of a candidature.
enum EtatCandidature: String, Codable, Sendable, CaseIterable {
    case brouillon
    /// Signed online by the candidate (or his établissement for him).
    case validee
    /// Validated, then changed while the service was open (a new confirmation exists).
    case modifiee
    case annulee

    var libelle: String {
        switch self {
        case .brouillon: "brouillon"
        case .validee: "validée"
        case .modifiee: "modifiée"
        case .annulee: "annulée"
        }
    }

    /// Validated (signed) and not cancelled.
    var estValidee: Bool { self == .validee || self == .modifiee }
}

/// A unit's grade of an earlier session (obtained within 5 years): kept when ≥ 10 (a bénéfice,
/// both forms), carried when < 10 (forme progressive only).
struct Benefice: Codable, Sendable, Equatable {
    var unite: String
    /// Hundredths of a point.
    var note: Int
    var session: String?
    /// `YYYY-MM-DD`.
    var dateObtention: String
}

/// Why a unit is dispensed.
enum MotifDispense: String, Codable, Sendable, CaseIterable {
    /// A diploma held gives the unit.
    case diplome
    /// Units or grades acquired elsewhere (base des ACQUIS).
    case acquis
}

struct Dispense: Codable, Sendable, Equatable {
    var unite: String
    var motif: MotifDispense
    var precision: String?
}

/// Who the candidate is and how to reach him.
struct Candidat: Codable, Sendable, Equatable {
    var ine: String?
    var nomFamille: String
    var nomUsage: String?
    var prenoms: String
    var sexe: Sexe
    var dateNaissance: String
    var communeNaissance: String
    var paysNaissance: String
    var adresse: String
    var codePostal: String
    var commune: String
    var courriel: String?
    var telephone: String?

    /// The key that finds the same person registered twice without an INE: family name and
    /// first first name without accents or case, and the birth date.
    var cleIdentite: String {
        func plie(_ texte: String) -> String {
            texte.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "fr_FR"))
                .uppercased().filter { $0.isLetter || $0.isNumber }
        }
        let premier = prenoms.split(separator: " ").first.map(String.init) ?? prenoms
        return "\(plie(nomFamille))|\(plie(premier))|\(dateNaissance)"
    }

    var identite: IdentiteCandidat {
        IdentiteCandidat(
            nomFamille: nomFamille, nomUsage: nomUsage, prenoms: prenoms, sexe: sexe, dateNaissance: dateNaissance,
            communeNaissance: communeNaissance, ine: ine.flatMap { try? INE($0) })
    }

    var nomComplet: String { "\(nomFamille.uppercased()) \(prenoms)" }
}

/// What a candidature chooses: the part the candidate (or his établissement) fills in.
struct Choix: Codable, Sendable, Equatable {
    var categorie: CategorieInscription
    var uai: String?
    var specialite: String
    var options: [String]
    var facultatives: [String]
    var forme: FormePassage
    var benefices: [Benefice]
    var dispenses: [Dispense]
    /// Forme progressive: the compulsory units left for a later session.
    var ulterieures: [String] = []
    /// The candidate agrees that his name be published with his result (public results site,
    /// outside bodies); without it his name appears nowhere public.
    var consentementPublication: Bool = false
}

/// A candidature as the API returns it.
struct Candidature: Codable, Sendable {
    var id: UUID
    var numero: String
    var session: String
    var etat: EtatCandidature
    var revision: Int
    var candidatId: UUID
    var compte: String?
    var candidat: Candidat
    var categorie: CategorieInscription
    var uai: String?
    var etablissement: String?
    var specialite: String
    var options: [String]
    var facultatives: [String]
    var forme: FormePassage
    var benefices: [Benefice]
    var dispenses: [Dispense]
    /// Forme progressive: the compulsory units left for a later session.
    var ulterieures: [String]?
    /// The candidate agrees that his name be published with his result (false until he says so).
    var consentementPublication: Bool = false
    /// Computed at validation and at each change after it.
    var unites: [UniteInscrite]?
    var categorieReglementaire: CategorieCandidat?
    var reglementVersion: Int?
    var homonymeAccepte: String?
    var amenagements: [MesureAmenagement]
    var amenagementDemande: Bool
    var creePar: String
    var creeLe: String
    var modifieLe: String
    var valideeLe: String?
    var annuleeLe: String?
    var motifAnnulation: String?

    var choix: Choix {
        Choix(categorie: categorie, uai: uai, specialite: specialite, options: options, facultatives: facultatives,
              forme: forme, benefices: benefices, dispenses: dispenses, ulterieures: ulterieures ?? [],
              consentementPublication: consentementPublication)
    }
}

extension Candidature: ResponseEncodable {}
