import Foundation
import ServiceKit

/// The candidates a papillon may be printed for: Inscription, asked as the person printing,
/// names which of the identifiants are numéros candidat of the établissement in a session not
/// closed (a papillon account reaches candidatures of that UAI only). The gateway never trusts
/// the identifiants typed on the form.
struct PapillonCandidats: Sendable {
    let directory: ServiceDirectory

    struct Confirme: Decodable, Sendable {
        var numero: String
        var nom: String
    }

    /// The confirmed identifiants (normalised as logins) with the candidate's name as
    /// Inscription holds it.
    func confirmes(uai: String, identifiants: [String], as caller: InternalIdentity) async throws(ServiceError) -> [String: String] {
        struct Demande: Encodable { var numeros: [String] }
        let inscription = ServiceClient(directory: directory, service: "inscription")
        let liste = try await inscription.lire(
            ServiceClient.Liste<Confirme>.self, "/etablissements/\(uai)/papillons/verification", as: caller, method: .post,
            json: Demande(numeros: identifiants))
        return Dictionary(liste.items.map { (IdentityService.normalize($0.numero), $0.nom) }, uniquingKeysWith: { a, _ in a })
    }
}
