import Foundation
import Hummingbird
import Messaging
import ServiceKit
import ServiceLifecycle
import Storage

/// Evaluation: grading organisation (commissions, lots, graders), grade entry through the work
/// queue `evaluation.saisie` handled by worker processes, the hash-chained audit, follow-up,
/// locks and consolidation (schema `evaluation`). Two kinds of process: `serve` (`build`) runs
/// the API, the event consumer, the outbox relay, the command publisher and the outcome
/// listener; `worker` (`worker`) runs a competing consumer of the work queue and the relay.
public enum EvaluationService: CycladesService {
    public static let name = "evaluation"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Evaluation resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    /// The API process.
    public static func build(_ runtime: ServiceRuntime) throws -> ServiceParts {
        let composants = try Composants(runtime: runtime)
        return ServiceParts(
            router: runtime.router { composants.addRoutes(to: $0) },
            queues: [.events(of: name, handlers(runtime: runtime))],
            services: [composants.envoi, composants.attente])
    }

    /// A worker process: `prefetch` commands sent ahead, batches filling for `linger` after
    /// their last command (throughput against latency). No HTTP server.
    public static func worker(_ runtime: ServiceRuntime, prefetch: Int, linger: Duration) throws -> ServiceParts {
        let traitement = TraitementSaisies(
            database: runtime.database, outbox: runtime.outbox, cle: try CleAudit(environment: runtime.configuration.environment))
        return ServiceParts(
            router: nil,
            queues: [.work(CommandeSaisie.queue, TraitementSaisies.handlers(traitement), prefetch: prefetch, linger: linger)])
    }

    /// The events it keeps its copies from: réglementation's sessions, services and centres,
    /// organisation's copies and absences.
    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers {
        ReferentielHandlers.make(ReferentielRepository(database: runtime.database))
    }
}

/// The parts of the API process, built once and shared by its routes and services.
struct Composants: Sendable {
    let runtime: ServiceRuntime
    let lots: LotRepository
    let envoi: EnvoiSaisies
    let attente: Attente
    let saisies: Saisies
    let verrouillages: Verrouillages
    let cle: CleAudit

    init(runtime: ServiceRuntime) throws {
        let cle = try CleAudit(environment: runtime.configuration.environment)
        let lots = LotRepository(database: runtime.database)
        let connexions = Int(runtime.configuration.environment["CYCLADES_EVALUATION_PUBLISHERS"] ?? "").map { min(max($0, 1), 16) } ?? 2
        let envoi = EnvoiSaisies(configuration: runtime.configuration.amqp, connexions: connexions, logger: runtime.logger)
        let attente = Attente(lots: lots, logger: runtime.logger)
        self.runtime = runtime
        self.cle = cle
        self.lots = lots
        self.envoi = envoi
        self.attente = attente
        saisies = Saisies(lots: lots, envoi: envoi, attente: attente, horloge: Horloge())
        verrouillages = Verrouillages(lots: lots, outbox: runtime.outbox, cle: cle)
    }

    func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        OrganisationRoutes(lots: lots, outbox: runtime.outbox).add(to: group)
        SaisieRoutes(saisies: saisies, verrouillages: verrouillages).add(to: group)
        SuiviRoutes(suivi: SuiviRepository(database: runtime.database), verification: VerificationAudit(database: runtime.database, cle: cle))
            .add(to: group)
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
        let cle = try CleAudit(environment: configuration.environment)
        let database = Database(configuration: configuration.database, logger: .init(label: "cyclades.evaluation.audit"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            let rapport = try await VerificationAudit(database: database, cle: cle).verifier(session: session)
            return Rapport(lots: rapport.lots, lignes: rapport.lignes,
                           anomalies: rapport.anomalies.map { ($0.lot, $0.seq, $0.copie, $0.probleme) })
        }
    }
}
