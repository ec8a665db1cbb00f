import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/sessions/:code/avancement` (the gestionnaire's dashboard: candidates, juries by
/// state, results closed) and `GET /v1/candidats/:id/resultat` (a candidate's file: his closed
/// results, only once the session's results are published — never before, whoever asks).
struct ResultatRoutes: Sendable {
    let resultats: ResultatRepository

    struct Resultats: ResponseEncodable, Sendable {
        var items: [ResultatRepository.Publie]
        var message: String?
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/avancement") { _, context -> ResultatRepository.Avancement in
            try context.require(.gestionnaire, .admin)
            let session = try SimulationRoutes.session(context)
            guard let avancement = try await resultats.avancement(session: session) else {
                throw ServiceError.notFound("La session \(session) est inconnue du service des délibérations.")
            }
            return avancement
        }

        // The identifier is the numéro candidat, as the candidate's habilitation carries it.
        group.get("candidats/:id/resultat") { _, context -> Resultats in
            try context.require(.candidat, .gestionnaire, .admin)
            let id = try context.candidatDuChemin(refus: "Accès refusé : ce résultat n'est pas le vôtre.")
            let publies = try await resultats.publies(numeros: [id])
            return Resultats(items: publies, message: publies.isEmpty ? "Votre résultat sera visible ici dès sa publication." : nil)
        }
    }
}
