import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/sessions/:code/avancement` (the gestionnaire's dashboard: candidates, juries by
/// state, results closed, the publication step opened). A candidate's result is Publication's.
struct ResultatRoutes: Sendable {
    let resultats: ResultatRepository

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/avancement") { _, context -> ResultatRepository.Avancement in
            try context.require(.gestionnaire, .admin)
            let session = try SimulationRoutes.session(context)
            guard let avancement = try await resultats.avancement(session: session) else {
                throw ServiceError.notFound("La session \(session) est inconnue du service des délibérations.")
            }
            return avancement
        }
    }
}
