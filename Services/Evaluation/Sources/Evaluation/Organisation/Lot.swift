import Foundation
import Hummingbird
import ServiceKit

/// A lot as the API returns it: a lot de copies (written), d'interrogation (oral, practical) or a
/// CCF lot of an établissement. Copies are known by numéro d'anonymat only.
struct Lot: Codable, Sendable, ResponseEncodable {
    var id: UUID
    var session: String
    var unite: String
    var epreuve: String
    var specialite: String
    var numero: Int
    var nature: String
    var commission: UUID?
    var centre: String
    var jour: String?
    /// Grading step in hundredths.
    var pas: Int
    var ouvert: Bool
    var verrouille: Bool
    var verrouillePar: String?
    var copies: Int
    var saisies: Int
    var correcteurs: [Correcteur]

    struct Correcteur: Codable, Sendable, Equatable {
        var sujet: String
        var nom: String
    }
}

/// One copy of a lot with its grade, for the grader's table and the slips.
struct CopieNotee: Codable, Sendable {
    var numero: String
    /// Canonical grade (`12.50`, `ABS`…), nil before any entry.
    var note: String?
    /// The grade as people read it (`12,50`).
    var affichage: String?
    var revision: Int64?
    /// ABS / ABJ recorded by the centre d'épreuve.
    var absence: String?
}

/// What the API and the worker check a command against: the lot, its unit's step, its graders
/// and its copies. Cached briefly by the API (see `LotCache`); the worker re-reads the state
/// under a row lock.
struct LotEtat: Sendable {
    var id: UUID
    var session: String
    var unite: String
    var nature: String
    var centre: String
    var pas: Int
    var ouvert: Bool
    var verrouille: Bool
    var collecteOuverte: Bool
    var correcteurs: Set<String>
    var copies: Set<String>
}

/// Who may see and enter what (defence in depth: the gateway gave the scopes, the lot's own
/// graders are checked again here).
enum Habilitation {
    /// Graders see their own lots; an établissement the lots it hosts (centre de correction) or
    /// its CCF lots; the gestionnaire, admin and services every lot.
    static func peutVoir(_ appelant: InternalIdentity, _ lot: LotEtat) -> Bool {
        switch appelant.role {
        case .gestionnaire, .admin, .service: true
        case .correcteur, .interrogateur: estCorrecteur(appelant, lot)
        case .etablissement: appelant.hasScope("uai", lot.centre)
        default: false
        }
    }

    static func estCorrecteur(_ appelant: InternalIdentity, _ lot: LotEtat) -> Bool {
        appelant.hasScope("lot", lot.id.uuidString.lowercased()) && lot.correcteurs.contains(appelant.subject)
    }

    /// The source a command is recorded with, by role.
    static func source(_ role: Role) -> String {
        switch role {
        case .correcteur, .interrogateur: "portail"
        case .etablissement: "etablissement"
        case .gestionnaire: "report"
        default: "epsnet"
        }
    }

    /// Throws the French refusal when `appelant` may not enter grades in `lot` now. The worker
    /// applies the same rule to the state it locked (the lot may have been locked meanwhile).
    static func verifierSaisie(_ appelant: InternalIdentity, _ lot: LotEtat) throws(ServiceError) {
        switch appelant.role {
        case .correcteur, .interrogateur:
            guard estCorrecteur(appelant, lot) else { throw refusLot }
        case .etablissement:
            guard lot.nature == "ccf", appelant.hasScope("uai", lot.centre) else {
                throw ServiceError.forbidden("Accès refusé : un établissement ne saisit que les notes CCF de ses propres candidats.")
            }
        case .gestionnaire: break
        case .service:
            guard lot.nature == "ccf" else {
                throw ServiceError.forbidden("Accès refusé : les notes reçues d'EPSNET ne concernent que des lots CCF.")
            }
        default: throw ServiceError.forbidden()
        }
        if let refus = refusEtat(role: appelant.role, ouvert: lot.ouvert && lot.collecteOuverte, verrouille: lot.verrouille) {
            throw ServiceError.conflict(refus.code, refus.message)
        }
    }

    /// The state rule alone (shared by the API and the worker): nobody enters grades in a locked
    /// lot; graders and établissements only while the collection is open (the gestionnaire's
    /// report and EPSNET also when it is closed).
    static func refusEtat(role: Role, ouvert: Bool, verrouille: Bool) -> (code: String, message: String)? {
        if verrouille {
            return ("lot.verrouille", "Le lot est verrouillé : plus aucune note ne peut y être saisie (seul le gestionnaire peut le déverrouiller).")
        }
        if !ouvert && [.correcteur, .interrogateur, .etablissement].contains(role) {
            return ("lot.ferme", "La saisie des notes de ce lot n'est pas ouverte.")
        }
        return nil
    }

    static let refusLot = ServiceError.forbidden("Accès refusé : ce lot ne vous est pas attribué.")
}
