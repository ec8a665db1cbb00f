import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// What the Inscription service answers (only what the pages show), read through `ServiceClient`.
enum InscriptionAPI {
    struct Candidature: Decodable {
        var id: String
        var numero: String
        var session: String
        var etat: String
        var revision: Int?
        var compte: String?
        var candidat: Candidat
        var categorie: String
        var uai: String?
        var etablissement: String?
        var specialite: String
        var options: [String]
        var facultatives: [String]
        var forme: String
        var unites: [Unite]?
        var categorieReglementaire: String?
        var amenagements: [Mesure]
        var amenagementDemande: Bool
        /// The candidate agrees that his name be published with his result.
        var consentementPublication: Bool?
        var creeLe: String?
        var modifieLe: String?
        var valideeLe: String?
        var annuleeLe: String?
        var motifAnnulation: String?

        /// `MARTIN Léa Marie`, as papillons and lists print it.
        var nomComplet: String { "\(candidat.nomFamille.uppercased()) \(candidat.prenoms)" }
        var estValidee: Bool { etat == "validee" || etat == "modifiee" }
    }

    /// A candidate's identity: read in a candidature, sent in a `Saisie`.
    struct Candidat: Codable {
        var ine: String?
        var nomFamille: String
        var nomUsage: String?
        var prenoms: String
        var sexe: String
        var dateNaissance: String
        var communeNaissance: String
        var paysNaissance: String?
        var adresse: String
        var codePostal: String
        var commune: String
        var courriel: String?
        var telephone: String?
    }

    struct Unite: Decodable {
        var code: String
        var epreuve: String
        var libelle: String
        var coefficient: Int?
        var facultative: Bool
        var situation: String
        var mode: String?
        var noteConservee: Int?
    }

    struct Mesure: Codable {
        var type: String
        var majorationPourcent: Int?
        var precision: String?
    }

    struct Offre: Decodable {
        struct Specialite: Decodable {
            var code: String
            var libelle: String
            var options: [Option]
            var facultatives: [Option]
        }
        struct Option: Decodable {
            var epreuve: String
            var code: String
            var libelle: String
        }
        struct Piece: Decodable {
            var code: String
            var libelle: String
            var obligatoire: Bool
        }
        struct Centre: Decodable {
            var uai: String
            var nom: String
            var commune: String
        }
        var session: String
        var libelle: String
        var servicesOuverts: [String]
        var reglementVersion: Int?
        var specialites: [Specialite]
        var pieces: [Piece]
        var centres: [Centre]

        var grandPublicOuvert: Bool { servicesOuverts.contains("inscription_grand_public") }
        var etablissementsOuvert: Bool { servicesOuverts.contains("inscription_etablissement") }
    }

    struct Pieces: Decodable {
        struct Attendue: Decodable {
            var type: String
            var libelle: String
            var obligatoire: Bool
            var statut: String
        }
        struct Deposee: Decodable {
            var id: String
            var type: String
            var nomFichier: String
            var mediaType: String
            var taille: Int
            var statut: String
            var motifRefus: String?
            var deposeeLe: String
        }
        var attendues: [Attendue]
        var deposees: [Deposee]
    }

    struct Amenagement: Decodable {
        var id: String
        var candidature: String
        var numero: String
        var candidat: String
        var uai: String?
        var specialite: String
        var types: [String]
        var motif: String
        var avis: String
        var etat: String
        var mesures: [Mesure]
        var motivation: String?
        var demandeLe: String
        var decideLe: String?
    }

    struct Evenement: Decodable {
        struct Ecart: Decodable {
            var avant: String?
            var apres: String?
        }
        var le: String
        var par: String
        var role: String
        var action: String
        var detail: [String: Ecart]
    }

    struct Version: Decodable {
        var version: Int
        var genereeLe: String
    }

    struct Statistique: Decodable {
        var cle: String
        var libelle: String
        var brouillon: Int
        var validee: Int
        var modifiee: Int
        var annulee: Int
        var total: Int
        var amenagements: Int
    }

    struct Rapport: Decodable {
        struct Erreur: Decodable {
            var ligne: Int
            var champ: String
            var message: String
        }
        var essai: Bool
        var lignes: Int
        var valides: Int
        var erreurs: [Erreur]
        var inscrites: Int
        var dejaInscrites: Int
        var validees: Int
    }

    struct Regeneration: Decodable {
        var examinees: Int
        var regenerees: Int
    }

    /// What `POST sessions/{code}/candidatures` and `PUT candidatures/{id}` take.
    struct Saisie: Encodable {
        var candidat: Candidat
        var categorie: String
        var uai: String?
        var specialite: String
        var options: [String]
        var facultatives: [String]
        var forme: String
        /// nil: not sent (unchanged on a change).
        var consentementPublication: Bool?
    }
}

/// The French words of registration, shared by the pages.
enum InscriptionVue {
    static let categories: [(String, String)] = [
        ("apprenti", "Apprenti"), ("fpc", "Formation professionnelle continue"),
        ("enseignement_distance", "Enseignement à distance"), ("individuel", "Individuel (Grand Public)"),
    ]

    static let etats: [(String, String)] = [
        ("brouillon", "Brouillon"), ("validee", "Validée"), ("modifiee", "Modifiée"), ("annulee", "Annulée"),
    ]

    static let typesAmenagement: [(String, String)] = [
        ("temps_majore", "Majoration du temps"), ("salle_separee", "Salle séparée"),
        ("assistant", "Assistance d'un secrétaire"), ("sujet_adapte", "Sujet adapté"),
        ("materiel_specifique", "Matériel spécifique"), ("pauses", "Temps de pause"),
    ]

    static let decisions: [(String, String)] = [
        ("accorde", "Accordé"), ("accorde_partiellement", "Accordé partiellement"), ("refuse", "Refusé"),
    ]

    static func categorie(_ code: String) -> String { categories.first { $0.0 == code }?.1 ?? code }

    static func etat(_ code: String) -> (libelle: String, classe: String) {
        switch code {
        case "brouillon": ("Brouillon", "etat--attente")
        case "validee": ("Validée", "etat--ok")
        case "modifiee": ("Modifiée", "etat--ok")
        case "annulee": ("Annulée", "etat--neutre")
        default: (code, "etat--neutre")
        }
    }

    static func forme(_ code: String) -> String {
        switch code {
        case "globale": "Forme globale"
        case "progressive": "Forme progressive"
        default: code
        }
    }

    static func typeAmenagement(_ code: String) -> String { typesAmenagement.first { $0.0 == code }?.1 ?? code }

    static func etatAmenagement(_ code: String) -> (libelle: String, classe: String) {
        switch code {
        case "demande": ("Demandé", "etat--attente")
        case "accorde": ("Accordé", "etat--ok")
        case "accorde_partiellement": ("Accordé partiellement", "etat--alerte")
        case "refuse": ("Refusé", "etat--refus")
        default: (code, "etat--neutre")
        }
    }

    static func statutPiece(_ code: String) -> (libelle: String, classe: String) {
        switch code {
        case "attendue": ("Attendue", "etat--attente")
        case "recue": ("Reçue", "etat--neutre")
        case "acceptee": ("Acceptée", "etat--ok")
        case "refusee": ("Refusée", "etat--refus")
        default: (code, "etat--neutre")
        }
    }

    static func mesure(_ mesure: InscriptionAPI.Mesure) -> String {
        var texte = typeAmenagement(mesure.type)
        if let pourcent = mesure.majorationPourcent { texte += " (+\(pourcent) %)" }
        if let precision = mesure.precision, !precision.isEmpty { texte += " : \(precision)" }
        return texte
    }

    static func situation(_ unite: InscriptionAPI.Unite) -> String {
        switch unite.situation {
        case "presentee": unite.mode == "ccf" ? "Présentée (CCF)" : "Présentée (ponctuel)"
        case "benefice": "Bénéfice" + (unite.noteConservee.map { " (\(note($0))/20)" } ?? "")
        case "dispense": "Dispense"
        case "reportee": "Note reportée" + (unite.noteConservee.map { " (\(note($0))/20)" } ?? "")
        case "ulterieure": "Session ultérieure"
        default: unite.situation
        }
    }

    /// 1250 hundredths → `12,5`.
    static func note(_ centiemes: Int) -> String {
        let entier = centiemes / 100
        let reste = centiemes % 100
        if reste == 0 { return "\(entier)" }
        var decimales = String(format: "%02d", reste)
        if decimales.hasSuffix("0") { decimales.removeLast() }
        return "\(entier),\(decimales)"
    }

    static func taille(_ octets: Int) -> String {
        octets < 1024 ? "\(octets) o" : octets < 1 << 20 ? "\(octets / 1024) Kio" : String(format: "%.1f Mio", Double(octets) / Double(1 << 20)).replacingOccurrences(of: ".", with: ",")
    }

    static let actions: [String: String] = [
        "creation": "Création", "modification": "Modification", "validation": "Validation (signature)",
        "annulation": "Annulation", "piece_deposee": "Pièce déposée", "piece_acceptee": "Pièce acceptée",
        "piece_refusee": "Pièce refusée", "amenagement_demande": "Aménagement demandé",
        "amenagement_decide": "Aménagement décidé", "confirmation_regeneree": "Confirmation régénérée",
    ]

    static let champs: [String: String] = [
        "candidat.ine": "INE", "candidat.nomFamille": "Nom de famille", "candidat.nomUsage": "Nom d'usage",
        "candidat.prenoms": "Prénoms", "candidat.sexe": "Sexe", "candidat.dateNaissance": "Date de naissance",
        "candidat.communeNaissance": "Commune de naissance", "candidat.paysNaissance": "Pays de naissance",
        "candidat.adresse": "Adresse", "candidat.codePostal": "Code postal", "candidat.commune": "Commune",
        "candidat.courriel": "Courriel", "candidat.telephone": "Téléphone", "categorie": "Catégorie", "uai": "Établissement",
        "specialite": "Spécialité", "options": "Options", "facultatives": "Unité facultative", "forme": "Forme",
        "benefices": "Bénéfices", "dispenses": "Dispenses", "motif": "Motif", "piece": "Pièce", "amenagement": "Aménagement",
        "consentementPublication": "Publication du nom avec le résultat",
    ]

    /// The consent to the publication of the name, as the pages say it (none given: no).
    static func consentement(_ oui: Bool?) -> String { oui == true ? "Oui" : "Non" }

    /// A session code as it may appear in a path (`BP-2027-06-N`), or nil.
    static func session(_ text: String) -> String? {
        (try? SessionCode(text.trimmingCharacters(in: .whitespaces).uppercased()))?.value
    }
}
