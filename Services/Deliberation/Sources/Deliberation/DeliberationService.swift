import Foundation
import Messaging
import Referentiel
import ServiceKit
import Storage

/// Délibération: where a candidate's fate is decided (schema `deliberation`). It keeps its own
/// copy of the réglementation (règlements: the rules of award read them as data) and applies
/// the pure engine `MoteurDeliberation`. Today: the simulation (a situation typed in,
/// deliberated, nothing stored). See README.md for what comes next.
public enum DeliberationService: CycladesService {
    public static let name = "deliberation"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Deliberation resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    public static func build(_ runtime: ServiceRuntime) throws -> ServiceParts {
        let referentiel = ReferentielReglementation(database: runtime.database)
        let projection = Projection(referentiel: referentiel, dossiers: DossierRepository(database: runtime.database))
        return ServiceParts(
            router: runtime.router { api in
                SimulationRoutes(referentiel: referentiel).add(to: api)
                PreparationRoutes(projection: projection).add(to: api)
            },
            queues: [.events(of: name, handlers(runtime: runtime))])
    }

    /// The events it keeps its copies from: réglementation's sessions, services, règlements
    /// and centres; inscription's candidatures; evaluation's consolidated grades; organisation's
    /// anonymity link.
    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers {
        CopieRepository(database: runtime.database).handlers()
    }
}
