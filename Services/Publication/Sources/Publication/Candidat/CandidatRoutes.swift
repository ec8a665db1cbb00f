import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/candidats/:id/resultat`: a candidate's released results with his grades (his space;
/// the identifier is his numéro, as his habilitation carries it). Nothing while the embargo holds,
/// whoever asks.
struct CandidatRoutes: Sendable {
    let publications: PublicationRepository

    struct Resultats: ResponseEncodable, Sendable {
        var items: [PublicationRepository.ResultatCandidat]
        var message: String?
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("candidats/:id/resultat") { _, context -> Resultats in
            try context.require(.candidat, .gestionnaire, .admin)
            let numero = try context.candidatDuChemin(refus: "Accès refusé : ce résultat n'est pas le vôtre.")
            let publies = try await publications.publies(numero: numero)
            return Resultats(items: publies, message: publies.isEmpty ? "Votre résultat sera visible ici dès sa publication." : nil)
        }
    }
}
