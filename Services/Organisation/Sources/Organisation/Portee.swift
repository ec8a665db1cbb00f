import Foundation
import ServiceKit

/// Who may see and do what in organisation: the gestionnaire everything; an établissement (its UAI
/// in its scopes) the work of its own centre épreuve (seating when delegated, papers, presence)
/// and the convocations of the candidates it registered or that are placed in it as centre épreuve; a candidate only his own convocation
/// (the numéro candidat his papillon account carries as `candidat:<numéro>`).
enum Portee {
    /// The UAIs of an établissement caller.
    static func uais(_ appelant: InternalIdentity) -> [String] {
        appelant.scopes.filter { $0.hasPrefix("uai:") }.map { String($0.dropFirst(4)) }.sorted()
    }

    /// The numéros candidat of a candidate caller.
    static func numeros(_ appelant: InternalIdentity) -> [String] {
        appelant.scopes.filter { $0.hasPrefix("candidat:") }.map { String($0.dropFirst("candidat:".count)) }
    }

    /// The gestionnaire, or the établissement that is this centre.
    static func centre(_ appelant: InternalIdentity, _ uai: String) throws {
        switch appelant.role {
        case .gestionnaire: return
        case .etablissement where appelant.hasScope("uai", uai): return
        default: throw ServiceError.forbidden("Accès refusé : le centre \(uai) n'est pas de votre ressort.")
        }
    }

    /// May see the convocation of a candidate registered by `uai` under `numero` and placed in `centres`
    /// (the centre épreuve prints the convocations for the épreuves it runs).
    static func convocation(_ appelant: InternalIdentity, numero: String, uai: String?, centres: [String] = []) -> Bool {
        switch appelant.role {
        case .gestionnaire, .admin, .service: true
        case .etablissement: (uai.map { appelant.hasScope("uai", $0) } ?? false) || centres.contains { appelant.hasScope("uai", $0) }
        case .candidat: appelant.hasScope("candidat", numero) || appelant.hasScope("candidat", numero.lowercased()) || appelant.subject == numero
        default: false
        }
    }

    static let refusConvocation = ServiceError.forbidden("Accès refusé : cette convocation n'est pas de votre ressort.")
}
