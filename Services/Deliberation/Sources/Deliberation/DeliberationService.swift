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
        let database = runtime.database
        let referentiel = ReferentielReglementation(database: database)
        let dossiers = DossierRepository(database: database)
        let projection = Projection(referentiel: referentiel, dossiers: dossiers)
        let jurys = JuryRepository(database: database)
        let journal = Journal(database: database, cle: try CleAudit(deliberation: runtime.configuration.environment))
        let seance = Seance(
            database: database, projection: projection, jurys: jurys, journal: journal, depot: SeanceRepository(database: database),
            outbox: runtime.outbox)
        return ServiceParts(
            router: runtime.router { api in
                SimulationRoutes(referentiel: referentiel).add(to: api)
                ResultatRoutes(resultats: ResultatRepository(database: database)).add(to: api)
                // A closed session: read only, and nothing for an établissement.
                let session = api.add(middleware: SessionCloseGarde(referentiel: referentiel))
                PreparationRoutes(projection: projection).add(to: session)
                JuryRoutes(jurys: jurys, seance: seance, journal: journal).add(to: session)
                SeanceRoutes(seance: seance, jurys: jurys, dossiers: dossiers, journal: journal, referentiel: referentiel).add(to: session)
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

/// Délibération's journal key: `CYCLADES_DELIBERATION_AUDIT_KEY`.
extension CleAudit {
    static let deliberation = "CYCLADES_DELIBERATION_AUDIT_KEY"

    init(deliberation environment: [String: String]) throws(ConfigurationError) {
        try self.init(variable: Self.deliberation, environment: environment)
    }
}
