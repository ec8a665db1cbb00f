import Documents
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/centres/:uai/documents/:type`: the papers of a centre's sittings, by the
/// centre or by the gestionnaire instead of it. Copy labels carry the numéros d'anonymat: only
/// the gestionnaire prints them.
struct DeroulementRoutes: Sendable {
    let papiers: Papiers

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/centres/:uai/documents/:type") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let code = try Requetes.session(context)
            let uai = try Requetes.uai(context.parametre("uai"), champ: "uai")
            try Portee.centre(appelant, uai)
            let texte = context.parametre("type").replacingOccurrences(of: ".pdf", with: "")
            guard let type = Papiers.Type_(rawValue: texte) else {
                throw ServiceError.notFound("Document « \(texte) » inconnu : \(Papiers.Type_.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            if type == .etiquettesCopies && appelant.role != .gestionnaire {
                throw ServiceError.forbidden("Accès refusé : les étiquettes de copie portent les numéros d'anonymat ; seule la division des examens les imprime.")
            }
            var v = Verification()
            let specialite = Requetes.code(request, "specialite", &v)
            let unite = Requetes.code(request, "unite", &v)
            let salle = request.uri.queryParameters.get("salle").flatMap { $0.isEmpty ? nil : $0 }
            try v.verifier()
            guard let centre = try await papiers.centre(session: code.value, uai: uai) else {
                throw ServiceError.notFound("Le centre \(uai) est inconnu dans la session \(code.value).")
            }
            let lignes = try await papiers.lignes(session: code.value, centre: uai, specialite: specialite, unite: unite, salle: salle)
            guard !lignes.isEmpty else {
                throw ServiceError.notFound("Aucun candidat n'est affecté au centre \(uai) pour ces critères : rien à imprimer.")
            }
            let nom = "\(type.rawValue)-\(uai)-\(code.value).pdf"
            switch type {
            case .etiquettesTables, .etiquettesCopies:
                let feuille = papiers.etiquettes(type, lignes: lignes)
                guard !feuille.labels.isEmpty else {
                    throw ServiceError.conflict("deroulement.non_place", type == .etiquettesCopies
                        ? "Aucune copie n'a encore de numéro d'anonymat ni de table : placez les candidats en salle et attribuez les numéros."
                        : "Aucun candidat n'est encore placé en salle : faites le placement d'abord.")
                }
                return Requetes.pdf(try await PDFRenderer.render(feuille), nom: nom)
            default:
                return try await Requetes.pdf(papiers.documents(type, lignes: lignes, centre: centre, session: code.value), nom: nom)
            }
        }
    }
}
