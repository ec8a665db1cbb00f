import Foundation
import Hummingbird
import ServiceKit

/// `/v1/candidatures/:id/amenagements`, `/v1/sessions/:code/amenagements` (the gestionnaire's
/// desk), `/v1/amenagements/:id/decision`.
struct AmenagementRoutes: Sendable {
    let amenagements: AmenagementRepository

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("candidatures/:id/amenagements") { request, context -> EditedResponse<Amenagement> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat)
            let demande = try await request.corps(AmenagementRepository.Demande.self)
            return EditedResponse(status: .created, response: try await amenagements.demander(try CandidatureRoutes.id(context), demande, par: appelant))
        }

        group.get("candidatures/:id/amenagements") { request, context -> Page<Amenagement> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let candidature = try await amenagements.inscriptions.candidature(try CandidatureRoutes.id(context), pour: appelant)
            let pagination = try Pagination(request)
            let page = try await amenagements.liste(session: candidature.session, etat: nil, uais: nil, candidature: candidature.id, pagination: pagination)
            return Page(items: page.items, total: page.total, pagination: pagination)
        }

        group.get("sessions/:code/amenagements") { request, context -> Page<Amenagement> in
            let appelant = try context.require(.gestionnaire, .etablissement, .admin)
            let session = try CandidatureRoutes.session(context)
            var v = Verification()
            let pagination = Pagination(request, &v)
            let etat = request.uri.queryParameters.get("etat").flatMap { $0.isEmpty ? nil : $0 }
            if let etat, !["demande", "accorde", "accorde_partiellement", "refuse"].contains(etat) {
                v.erreur("etat", "filtre.etat", "État « \(etat) » inconnu : demande, accorde, accorde_partiellement, refuse.")
            }
            try v.verifier()
            let uais = appelant.role == .etablissement ? Portee.uais(appelant) : nil
            let page = try await amenagements.liste(session: session.value, etat: etat, uais: uais, candidature: nil, pagination: pagination)
            return Page(items: page.items, total: page.total, pagination: pagination)
        }

        group.post("amenagements/:amenagement/decision") { request, context -> Amenagement in
            let appelant = try context.require(.gestionnaire)
            guard let id = UUID(uuidString: context.parametre("amenagement")) else { throw AmenagementRepository.inconnu }
            let decision = try await request.corps(AmenagementRepository.Decision.self)
            return try await amenagements.decider(id, decision, par: appelant)
        }
    }
}
