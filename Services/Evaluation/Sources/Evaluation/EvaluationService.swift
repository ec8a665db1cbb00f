import AMQP
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import ServiceLifecycle
import Storage
import Synchronization

/// Evaluation: grading organisation (commissions, lots, graders), grade entry through the work
/// queue `evaluation.saisie` handled by worker processes, the hash-chained audit, follow-up,
/// locks and consolidation (schema `evaluation`). `serve` runs the API, the event consumer, the
/// outbox relay, the command publisher and the outcome listener; `worker` runs a competing
/// consumer of the work queue (see `EvaluationWorker`).
public enum EvaluationService: CycladesService {
    public static let name = "evaluation"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Evaluation resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    /// None for the kit: the events consumer runs among `extraServices`, on a queue whose dead
    /// letters go through the default exchange (see `Files`).
    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers? { nil }

    static func evenements(_ runtime: ServiceRuntime) -> MessageConsumer {
        let handlers = ReferentielHandlers.make(ReferentielRepository(database: runtime.database))
        let queue = Topology.eventsQueue(of: name)
        let consumer = AMQPConsumer(
            configuration: runtime.configuration.amqp,
            topology: Files.topologie(queue, exchange: Topology.events, routingKeys: handlers.types),
            queue: queue, prefetch: 300, logger: runtime.logger)
        return MessageConsumer(database: runtime.database, amqp: consumer, handlers: handlers, outbox: runtime.outbox, logger: runtime.logger)
    }

    public static func addRoutes(to group: RouterGroup<ServiceRequestContext>, runtime: ServiceRuntime) {
        let composants = Composants.de(runtime)
        OrganisationRoutes(lots: composants.lots, cache: composants.cache).add(to: group)
        SaisieRoutes(saisies: composants.saisies, verrouillages: composants.verrouillages).add(to: group)
        SuiviRoutes(suivi: SuiviRepository(database: runtime.database), verification: VerificationAudit(database: runtime.database))
            .add(to: group)
    }

    public static func extraServices(runtime: ServiceRuntime) async throws -> [any Service] {
        let composants = Composants.de(runtime)
        return [evenements(runtime), composants.envoi, composants.attente]
    }
}

/// What the routes and the extra services of one runtime share (one instance per runtime).
struct Composants: Sendable {
    let lots: LotRepository
    let cache: LotCache
    let envoi: EnvoiSaisies
    let attente: Attente
    let saisies: Saisies
    let verrouillages: Verrouillages

    private static let parRuntime = Mutex<[ObjectIdentifier: Composants]>([:])

    static func de(_ runtime: ServiceRuntime) -> Composants {
        parRuntime.withLock { tous in
            let cle = ObjectIdentifier(runtime.database.client)
            if let existants = tous[cle] { return existants }
            let cache = LotCache()
            let lots = LotRepository(database: runtime.database, cache: cache)
            let connexions = Int(runtime.configuration.environment["CYCLADES_EVALUATION_PUBLISHERS"] ?? "") ?? 2
            let envoi = EnvoiSaisies(configuration: runtime.configuration.amqp, connexions: connexions, logger: runtime.logger)
            let attente = Attente(database: runtime.database, cache: cache, logger: runtime.logger)
            let composants = Composants(
                lots: lots, cache: cache, envoi: envoi, attente: attente,
                saisies: Saisies(lots: lots, cache: cache, envoi: envoi, attente: attente, horloge: Horloge()),
                verrouillages: Verrouillages(lots: lots, outbox: runtime.outbox))
            tous[cle] = composants
            return composants
        }
    }
}

/// `cyclades-evaluation worker`: applies the migrations (under the kit's advisory lock), then
/// runs a competing consumer of `evaluation.saisie` and an outbox relay (elected: only one relay
/// of the service publishes at a time) until SIGTERM. No HTTP server.
public enum EvaluationWorker {
    public static func run(runtime: ServiceRuntime, prefetch: Int, attente: Duration = .milliseconds(10)) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await runtime.database.client.run() }
            _ = try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(EvaluationService.self))
            let travailleur = TravailleurSaisies(
                configuration: runtime.configuration.amqp,
                traitement: TraitementSaisies(database: runtime.database, outbox: runtime.outbox),
                prefetch: prefetch, attente: attente, logger: runtime.logger)
            runtime.logger.info("evaluation worker started", metadata: ["prefetch": "\(prefetch)", "linger": "\(attente)"])
            let serviceGroup = ServiceGroup(configuration: .init(
                services: [.init(service: runtime.relay), .init(service: travailleur)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: runtime.logger))
            try await serviceGroup.run()
            group.cancelAll()
        }
    }
}

/// The audit verification for the command line (`verifier-audit`).
public enum EvaluationAudit {
    public struct Rapport: Sendable {
        public var lots: Int
        public var lignes: Int
        public var anomalies: [(lot: UUID, seq: Int64?, copie: String?, probleme: String)]
    }

    public static func verifier(configuration: ServiceConfiguration, session: String?) async throws -> Rapport {
        let database = Database(configuration: configuration.database, logger: .init(label: "cyclades.evaluation.audit"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            let rapport = try await VerificationAudit(database: database).verifier(session: session)
            return Rapport(lots: rapport.lots, lignes: rapport.lignes,
                           anomalies: rapport.anomalies.map { ($0.lot, $0.seq, $0.copie, $0.probleme) })
        }
    }
}
