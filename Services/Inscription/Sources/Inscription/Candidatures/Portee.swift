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

    /// Whether the caller may change the identity of a candidat (the row shared by all his
    /// candidatures, across sessions): the gestionnaire always; a candidate the row of his own
    /// account, or of no account when every candidature on it is his by papillon; an
    /// établissement a row of no account whose every candidature is of its UAIs. Anyone else
    /// links to the row only by giving exactly the identity it holds (so learns nothing).
    static func peutModifierIdentite(_ appelant: InternalIdentity, _ connu: CandidatureRepository.CandidatConnu) -> Bool {
        let lignes = connu.candidatures
        switch appelant.role {
        case .gestionnaire:
            return true
        case .candidat:
            if let compte = connu.compte { return compte == appelant.subject }
            return !lignes.isEmpty && lignes.allSatisfy { ligne in
                appelant.hasScope("candidat", ligne.numero.lowercased()) && (ligne.uai.map { appelant.hasScope("uai", $0) } ?? false)
            }
        case .etablissement:
            return connu.compte == nil && !lignes.isEmpty && lignes.allSatisfy { $0.uai.map { appelant.hasScope("uai", $0) } ?? false }
        default:
            return false
        }
    }

    /// Refusal of an identity change by someone who does not follow this candidat: names the
    /// rule, never the stored identity nor who holds it.
    static let identitePartagee = ServiceError(
        .conflict, code: "candidat.identite_partagee",
        message: "Ce candidat (même INE) est déjà connu sous une autre identité, suivie par un autre établissement ou par le candidat lui-même : vous ne pouvez pas la modifier. Vérifiez l'INE ; s'il est juste, demandez au gestionnaire de rapprocher les identités.",
        details: [.init(location: "candidat", code: "candidat.identite_partagee",
                        message: "Identité différente de celle déjà enregistrée pour ce candidat : seul le gestionnaire peut la modifier.")])

    static let refus = ServiceError.forbidden("Accès refusé : cette candidature n'est pas de votre ressort.")
}

/// Pieces the rules look for by type (besides the règlement's own list).
enum TypePiece {
    static let dispense = "DISPENSE"
    static let avisMedical = "AVIS_MEDICAL"
    static let benefice = "BENEFICE"
}
