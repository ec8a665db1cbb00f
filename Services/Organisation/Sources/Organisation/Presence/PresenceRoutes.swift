import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/centres/:uai/presences`: the centre (or the gestionnaire) records who sat
/// a unit, who was absent (ABS) or absent with a justification (ABJ + piece).
struct PresenceRoutes: Sendable {
    let presences: PresenceRepository

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions/:code/centres/:uai/presences") { request, context -> PresenceRepository.Bilan in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let code = try Requetes.session(context)
            let uai = try Requetes.uai(context.parametre("uai"), champ: "uai")
            try Portee.centre(appelant, uai)
            let corps = try await request.corps(PresenceRepository.Corps.self)
            var v = Verification()
            let specialite = Requetes.codeObligatoire(corps.specialite, "specialite", nom: "Code de spécialité", &v)
            let unite = Requetes.codeObligatoire(corps.unite, "unite", nom: "Code d'unité", &v)
            let saisies = corps.saisies ?? []
            if saisies.isEmpty { v.erreur("saisies", "presence.vide", "Aucune saisie : indiquez au moins un candidat et son statut.") }
            try v.verifier()
            return try await presences.saisir(session: code, centre: uai, specialite: specialite!, unite: unite!, saisies: saisies, par: appelant.subject)
        }

        group.get("sessions/:code/centres/:uai/presences") { request, context -> Liste<PresenceRepository.Ligne> in
            let appelant = try context.require(.gestionnaire, .etablissement, .admin)
            let code = try Requetes.session(context)
            let uai = try Requetes.uai(context.parametre("uai"), champ: "uai")
            if appelant.role != .admin { try Portee.centre(appelant, uai) }
            var v = Verification()
            let specialite = Requetes.codeObligatoire(request.uri.queryParameters.get("specialite"), "specialite", nom: "Code de spécialité", &v)
            let unite = Requetes.codeObligatoire(request.uri.queryParameters.get("unite"), "unite", nom: "Code d'unité", &v)
            try v.verifier()
            return Liste(items: try await presences.liste(session: code, centre: uai, specialite: specialite!, unite: unite!))
        }
    }
}
