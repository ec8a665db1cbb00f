import Foundation
import Hummingbird
import ServiceKit

/// `/v1/lots/:id/notes` (grade entry, every source), `/v1/commandes/:id` (a command's outcome),
/// `/v1/lots/:id/verrouillage|deverrouillage|reouverture`.
struct SaisieRoutes: Sendable {
    let saisies: Saisies
    let verrouillages: Verrouillages

    struct Deverrouillage: Decodable { var motif: String? }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        /// 202 `acceptee` once the broker confirmed the command; with `?attendre=MS` (≤ 10,000),
        /// 200 `enregistree` once a worker stored it (409 `refusee` if the lot was locked
        /// meanwhile), or still 202 when the wait ran out (then poll `GET /v1/commandes/:id`).
        group.post("lots/:id/notes") { request, context -> EditedResponse<Saisies.Reponse> in
            let appelant = try context.require(.correcteur, .interrogateur, .etablissement, .gestionnaire, .service)
            let id = try OrganisationRoutes.id(context)
            let corps = try await request.corps(Saisies.Corps.self, limite: 256 << 10)
            guard let lot = try await saisies.lot(id) else { throw Verrouillages.inconnu }
            guard appelant.role == .gestionnaire || appelant.role == .service || Habilitation.peutVoir(appelant, lot) else {
                throw Habilitation.refusLot
            }
            var attendre = Duration.zero
            if let texte = request.uri.queryParameters.get("attendre") {
                guard let ms = Int(texte), ms >= 0 else {
                    throw ServiceError.invalid("saisie.attente", "« attendre » est un nombre de millisecondes (reçu « \(texte) »).")
                }
                attendre = min(.milliseconds(ms), Saisies.attenteMaximale)
            }
            let commande = try saisies.commande(corps, lot: lot, par: appelant)
            let reponse = try await saisies.soumettre(commande, attendre: attendre, renvoi: corps.commande != nil)
            switch reponse.statut {
            case "enregistree": return EditedResponse(status: .ok, response: reponse)
            case "refusee": throw ServiceError.conflict("saisie.refusee", reponse.message ?? "Les notes ont été refusées.")
            default: return EditedResponse(status: .accepted, response: reponse)
            }
        }

        group.get("commandes/:id") { _, context -> EditedResponse<Saisies.Reponse> in
            let appelant = try context.require(.correcteur, .interrogateur, .etablissement, .gestionnaire, .service, .admin)
            let id = try OrganisationRoutes.id(context)
            guard let (lot, par) = try await saisies.lotDeCommande(id) else {
                // Not handled yet (or unknown): the caller keeps waiting.
                return EditedResponse(status: .accepted, response: .init(commande: id, statut: "acceptee"))
            }
            if ![.gestionnaire, .admin].contains(appelant.role) {
                guard par == appelant.subject, let etat = try await saisies.lot(lot), Habilitation.peutVoir(appelant, etat) else {
                    throw ServiceError.forbidden("Accès refusé : cette saisie n'est pas la vôtre.")
                }
            }
            guard let reponse = try await saisies.resultat(id) else { throw ServiceError.notFound("Saisie inconnue.") }
            return EditedResponse(status: .ok, response: reponse)
        }

        group.post("lots/:id/verrouillage") { _, context -> Verrouillages.Resultat in
            let appelant = try context.require(.correcteur, .interrogateur, .etablissement, .gestionnaire)
            return try await verrouillages.verrouiller(try OrganisationRoutes.id(context), par: appelant)
        }

        group.post("lots/:id/deverrouillage") { request, context -> Verrouillages.Resultat in
            let appelant = try context.require(.gestionnaire)
            let corps = try await request.corps(Deverrouillage.self)
            return try await verrouillages.deverrouiller(try OrganisationRoutes.id(context), motif: corps.motif ?? "", par: appelant)
        }

        /// After consolidation: the gestionnaire's recorded reopening (with its reason) unlocks the
        /// lot and withdraws the unit's consolidation.
        group.post("lots/:id/reouverture") { request, context -> Verrouillages.Resultat in
            let appelant = try context.require(.gestionnaire)
            let corps = try await request.corps(Deverrouillage.self)
            return try await verrouillages.deverrouiller(
                try OrganisationRoutes.id(context), motif: corps.motif ?? "", par: appelant, reouverture: true)
        }
    }
}
