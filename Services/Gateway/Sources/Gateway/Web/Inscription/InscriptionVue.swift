import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The Inscription service as the pages call it: always as the person using the page (the
/// service applies its own rules to him), its answers decoded, its refusals turned into the
/// French `ServiceError` the pages show.
struct InscriptionAPI: Sendable {
    let directory: ServiceDirectory

    /// One call to `/v1<path>`; a service down or too slow is a `ServiceError` (502, 504).
    func appel(
        _ method: HTTPRequest.Method, _ path: String, as caller: InternalIdentity, json: (any Encodable)? = nil,
        contentType: String? = nil, body: ByteBuffer? = nil
    ) async throws -> ServiceDirectory.Answer {
        var type = contentType
        var corps = body
        if let json {
            corps = ByteBuffer(bytes: try JSONEncoder().encode(json))
            type = "application/json"
        }
        do {
            return try await directory.call("inscription", method: method, path: "/v1" + path, identity: caller, contentType: type, body: corps)
        } catch {
            throw error.serviceError
        }
    }

    /// The answer decoded as `T` when it is a success, else the service's refusal.
    func lire<T: Decodable>(
        _ type: T.Type, _ path: String, as caller: InternalIdentity, method: HTTPRequest.Method = .get,
        json: (any Encodable)? = nil, contentType: String? = nil, body: ByteBuffer? = nil
    ) async throws -> T {
        let answer = try await appel(method, path, as: caller, json: json, contentType: contentType, body: body)
        guard (200..<300).contains(answer.status.code) else { throw Self.refus(answer) }
        do {
            return try JSONDecoder().decode(T.self, from: answer.body)
        } catch {
            throw ServiceError(.badGateway, code: "service.reponse", message: "Le service inscription a rendu une réponse illisible. Réessayez plus tard.")
        }
    }

    /// A refusal of the service as the pages say it: its own status, code, French message and
    /// details; an internal error of the service becomes a 502.
    static func refus(_ answer: ServiceDirectory.Answer) -> ServiceError {
        struct Corps: Decodable {
            var code: String
            var message: String
            var details: [ServiceError.Detail]?
        }
        let corps = try? JSONDecoder().decode(Corps.self, from: answer.body)
        if answer.status.code >= 500 || answer.status.code < 400 {
            return ServiceError(.badGateway, code: corps?.code ?? "service.erreur",
                                message: corps?.message ?? "Le service inscription a répondu par une erreur (\(answer.status.code)). Réessayez plus tard.")
        }
        return ServiceError(answer.status, code: corps?.code ?? "service.refus",
                            message: corps?.message ?? "Le service inscription a refusé la demande (\(answer.status.code)).",
                            details: corps?.details ?? [])
    }

    /// A file of the service (PDF, CSV, pièce) passed to the browser with its name.
    func telechargement(_ path: String, as caller: InternalIdentity) async throws -> Response {
        let answer = try await appel(.get, path, as: caller)
        guard answer.status == .ok else { throw Self.refus(answer) }
        var headers: HTTPFields = [.contentType: answer.contentType ?? "application/octet-stream"]
        if let disposition = answer.contentDisposition { headers[.contentDisposition] = disposition }
        headers[.cacheControl] = answer.cacheControl ?? "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.body))
    }

    // MARK: What the service answers (only what the pages show)

    struct Page<Item: Decodable>: Decodable {
        var items: [Item]
        var total: Int
    }

    struct Liste<Item: Decodable>: Decodable {
        var items: [Item]
    }

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
        var creeLe: String?
        var modifieLe: String?
        var valideeLe: String?
        var annuleeLe: String?
        var motifAnnulation: String?

        /// `MARTIN Léa Marie`, as papillons and lists print it.
        var nomComplet: String { "\(candidat.nomFamille.uppercased()) \(candidat.prenoms)" }
        var estValidee: Bool { etat == "validee" || etat == "modifiee" }
    }

    struct Candidat: Decodable {
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
        struct Identite: Encodable {
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
        var candidat: Identite
        var categorie: String
        var uai: String?
        var specialite: String
        var options: [String]
        var facultatives: [String]
        var forme: String
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
    ]

    /// A session code as it may appear in a path (`BP-2027-06-N`), or nil.
    static func session(_ text: String) -> String? {
        (try? SessionCode(text.trimmingCharacters(in: .whitespaces).uppercased()))?.value
    }
}
