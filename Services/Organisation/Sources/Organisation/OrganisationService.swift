import Foundation
import Hummingbird
import Messaging
import Referentiel
import ServiceKit
import Storage

/// Organisation and déroulement (schema `organisation`): épreuves-candidats placed in centres
/// (CCF, regroupements, automatic and manual assignment under capacities), delegation and seating
/// in rooms, numéros d'anonymat, convocations, the papers of the exam days, presence. Keeps its
/// own copy of the réglementation and of validated candidatures from their events.
public enum OrganisationService: CycladesService {
    public static let name = "organisation"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Organisation resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    public static func build(_ runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts(
            router: runtime.router { addRoutes(to: $0, runtime: runtime) },
            queues: [.events(of: name, handlers(runtime: runtime))])
    }

    /// The events it keeps its copies from, with what each change implies.
    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers {
        let database = runtime.database
        let anonymats = AnonymatRepository(database: database, outbox: runtime.outbox)
        return ReferentielHandlers.make(ReferentielRepository(database: database), suites: suites(runtime), anonymats: anonymats)
    }

    static func addRoutes(to group: RouterGroup<ServiceRequestContext>, runtime: ServiceRuntime) {
        let database = runtime.database
        let affectations = affectations(runtime)
        let group = group.add(middleware: SessionCloseGarde(referentiel: affectations.referentiel.reglementation))
        AffectationRoutes(affectations: affectations, terminaison: Terminaison(affectations: affectations, outbox: runtime.outbox)).add(to: group)
        PlacementRoutes(placements: Placements(referentiel: affectations.referentiel, affectations: affectations, suites: affectations.suites)).add(to: group)
        AnonymatRoutes(affectations: affectations, anonymats: affectations.suites.anonymats, suites: affectations.suites).add(to: group)
        ConvocationRoutes(affectations: affectations, convocations: affectations.suites.convocations).add(to: group)
        DeroulementRoutes(papiers: Papiers(database: database)).add(to: group)
        PresenceRoutes(presences: PresenceRepository(database: database, outbox: runtime.outbox)).add(to: group)
        AvancementRoutes(affectations: affectations, avancement: AvancementRepository(database: database)).add(to: group)
    }

    static func suites(_ runtime: ServiceRuntime) -> Suites {
        Suites(database: runtime.database, outbox: runtime.outbox,
               anonymats: AnonymatRepository(database: runtime.database, outbox: runtime.outbox),
               convocations: ConvocationRepository(database: runtime.database, outbox: runtime.outbox))
    }

    static func affectations(_ runtime: ServiceRuntime) -> Affectations {
        Affectations(referentiel: ReferentielRepository(database: runtime.database),
                     affectations: AffectationRepository(database: runtime.database), suites: suites(runtime))
    }
}
