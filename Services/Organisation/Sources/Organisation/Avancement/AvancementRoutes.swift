import Foundation
import Hummingbird
import ServiceKit

/// The parts of the gateway's aggregated views that organisation answers:
/// `GET /v1/sessions/:code/avancement` (the gestionnaire's dashboard: candidates, épreuves
/// placed, seated, dated, convocations, whether the organisation was declared finished) and
/// `GET /v1/candidats/:id/convocation` (a candidate's file: his convocations). A candidate sees
/// only his own (`:id` must be in his scopes, and only the numéros his scopes carry are read);
/// nobody else but the gestionnaire and the administrator — a grader, an établissement — gets
/// anything by candidate here.
struct AvancementRoutes: Sendable {
    let affectations: Affectations
    let avancement: AvancementRepository

    struct Avancement: ResponseEncodable, Sendable {
        var session: String
        var terminee: Bool
        var termineeLe: String?
        var candidats: Int
        var sansConvocation: Int
        var epreuvesCandidats: Int
        var placees: Int
        var nonPlacees: Int
        var sansSalle: Int
        var sansDate: Int
        var seancesEnSurcapacite: Int
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/avancement") { _, context -> Avancement in
            try context.require(.gestionnaire, .admin)
            let code = try Requetes.session(context)
            let session = try await affectations.session(code)
            let controle = try await affectations.affectations.verifier(
                session: code.value, centres: try await affectations.referentiel.centres(session: code))
            let (candidats, sansConvocation) = try await avancement.candidats(session: code.value)
            return Avancement(
                session: code.value, terminee: session.terminee, termineeLe: try await avancement.terminee(session: code.value),
                candidats: candidats, sansConvocation: sansConvocation, epreuvesCandidats: controle.epreuvesCandidats,
                placees: controle.placees, nonPlacees: controle.nonPlacees, sansSalle: controle.sansSalle, sansDate: controle.sansDate,
                seancesEnSurcapacite: controle.centresEnSurcapacite.count)
        }

        group.get("candidats/:id/convocation") { _, context -> Liste<AvancementRepository.ConvocationCandidat> in
            let appelant = try context.require(.candidat, .gestionnaire, .admin)
            let id = try context.candidatDuChemin(refus: Portee.refusConvocation.message)
            // A candidate sees the convocations of every numéro his habilitations carry.
            let numeros = appelant.role == .candidat ? Portee.numeros(appelant) : [id]
            return Liste(items: try await avancement.convocations(numeros: numeros))
        }
    }
}
