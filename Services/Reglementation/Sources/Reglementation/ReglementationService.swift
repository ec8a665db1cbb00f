import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Réglementation: sessions and their step services, the national pilot, local adaptations,
/// centres, planned treatments and academic resources (schema `reglementation`).
public enum ReglementationService: CycladesService {
    public static let name = "reglementation"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Reglementation resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    /// Its routes, and the consumer of what the step services report of their work
    /// (`organisation.terminee`, `evaluation.lots.crees`, `evaluation.lot.verrouille`): closing a
    /// step checks it.
    public static func build(_ runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts(
            router: runtime.router { addRoutes(to: $0, runtime: runtime) },
            queues: [.events(of: name, handlers(runtime: runtime))])
    }

    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers {
        AvancementEtapes.handlers(AvancementEtapes(database: runtime.database))
    }

    static func addRoutes(to group: RouterGroup<ServiceRequestContext>, runtime: ServiceRuntime) {
        let database = runtime.database
        let outbox = runtime.outbox
        let pilote = PiloteRepository(database: database)
        SessionRoutes(sessions: SessionRepository(database: database, outbox: outbox)).add(to: group)
        ServiceEtapeRoutes(services: ServiceEtapeRepository(database: database, outbox: outbox)).add(to: group)
        PiloteRoutes(importation: PiloteImport(database: database)).add(to: group)
        AdaptationRoutes(
            adaptations: AdaptationRepository(database: database, pilote: pilote),
            publications: PublicationRepository(database: database, outbox: outbox)
        ).add(to: group)
        EtablissementRoutes(etablissements: EtablissementRepository(database: database, outbox: outbox)).add(to: group)
        CentreRoutes(centres: CentreRepository(database: database, outbox: outbox)).add(to: group)
        TraitementRoutes(traitements: TraitementRepository(database: database)).add(to: group)
        RessourceRoutes(ressources: RessourceRepository(database: database, outbox: outbox)).add(to: group)
    }
}
