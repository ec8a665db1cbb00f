import Foundation
import ServiceKit

/// Who may see and act on which candidature: the gestionnaire every one; an établissement the
/// candidatures it registered (its UAI in its scopes); a candidate his own (his account, or the
/// numéro candidat his papillon account carries as `candidat:<numéro>` — only while that
/// candidature is of the UAI the papillon was printed for, `uai:<UAI>` in the same account: a
/// papillon never reaches another établissement's or a Grand Public candidature).
enum Portee {
    static func peutVoir(_ appelant: InternalIdentity, _ candidature: Candidature) -> Bool {
        switch appelant.role {
        case .gestionnaire, .admin, .service: true
        case .etablissement: candidature.uai.map { appelant.hasScope("uai", $0) } ?? false
        case .candidat: estAuCandidat(appelant, candidature)
        default: false
        }
    }

    static func peutAgir(_ appelant: InternalIdentity, _ candidature: Candidature) -> Bool {
        switch appelant.role {
        case .gestionnaire: true
        case .etablissement: candidature.uai.map { appelant.hasScope("uai", $0) } ?? false
        case .candidat: estAuCandidat(appelant, candidature)
        default: false
        }
    }

    static func estAuCandidat(_ appelant: InternalIdentity, _ candidature: Candidature) -> Bool {
        if candidature.compte == appelant.subject { return true }
        guard appelant.hasScope("candidat", candidature.numero.lowercased()), let uai = candidature.uai else { return false }
        return appelant.hasScope("uai", uai)
    }

    /// The numéros a candidate's papillon account gives him.
    static func numeros(_ appelant: InternalIdentity) -> [String] {
        appelant.scopes.filter { $0.hasPrefix("candidat:") }.map { String($0.dropFirst("candidat:".count)) }
    }

    /// The UAIs of an établissement caller, or the one a papillon account was printed for.
    static func uais(_ appelant: InternalIdentity) -> [String] {
        appelant.scopes.filter { $0.hasPrefix("uai:") }.map { String($0.dropFirst(4)) }.sorted()
    }

    static let refus = ServiceError.forbidden("Accès refusé : cette candidature n'est pas de votre ressort.")
}

/// Pieces the rules look for by type (besides the règlement's own list).
enum TypePiece {
    static let dispense = "DISPENSE"
    static let avisMedical = "AVIS_MEDICAL"
    static let benefice = "BENEFICE"
}
