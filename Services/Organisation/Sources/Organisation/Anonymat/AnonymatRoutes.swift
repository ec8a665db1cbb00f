import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/anonymats`: the gestionnaire gives numéros d'anonymat to every placed
/// épreuve-candidat that has none; evaluation receives the copy lists.
struct AnonymatRoutes: Sendable {
    let affectations: Affectations
    let anonymats: AnonymatRepository
    let suites: Suites

    struct Attribution: ResponseEncodable {
        var attribues: Int
        var listesEnvoyees: Int
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions/:code/anonymats") { _, context -> Attribution in
            let appelant = try context.require(.gestionnaire)
            let code = try Requetes.session(context)
            _ = try await affectations.session(code)
            return try await affectations.database.transaction { connection in
                let attribues = try await anonymats.attribuer(session: code.value, on: connection)
                let bilan = try await suites.apresChangement(session: code.value, listesCompletes: true, par: appelant.subject, on: connection)
                return Attribution(attribues: attribues, listesEnvoyees: bilan.lotsRepublies)
            }
        }
    }
}
