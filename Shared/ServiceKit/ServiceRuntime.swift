import AMQP
import Foundation
import Hummingbird
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization

/// Everything a running service shares: settings, database, outbox, relay, token authority.
public struct ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let database: Database
    public let outbox: OutboxWriter
    public let relay: OutboxRelay
    public let tokens: InternalTokenAuthority
    public let logger: Logger
    /// The broker check of `/health`, shared by every copy of the runtime.
    public let brokerProbe: BrokerProbe

    public init(configuration: ServiceConfiguration) async {
        var logger = Logger(label: "cyclades.\(configuration.serviceName)")
        logger.logLevel = configuration.logLevel
        self.configuration = configuration
        self.logger = logger
        database = Database(configuration: configuration.database, logger: logger)
        outbox = OutboxWriter(database: database, producer: configuration.serviceName)
        relay = OutboxRelay(
            database: database,
            publisher: AMQPPublisher(configuration: configuration.amqp, logger: logger),
            logger: logger)
        tokens = await InternalTokenAuthority(secret: configuration.internalTokenSecret, audience: configuration.serviceName)
        brokerProbe = BrokerProbe(configuration: configuration.amqp, environment: configuration.environment)
    }

    /// The kit's and the service's migrations, in the order they apply.
    public static func allMigrations<S: CycladesService>(_ service: S.Type) throws -> [Migration] {
        try MessagingMigrations.all() + S.migrations()
    }

    /// The usual router: `/health`, `/metrics`, and `routes` under `/v1` behind the internal
    /// token check.
    public func router(_ routes: (RouterGroup<ServiceRequestContext>) -> Void) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        addHealthRoutes(to: router)
        routes(router.group("v1").add(middleware: InternalTokenMiddleware(authority: tokens)))
        return router
    }

    /// The router `S` builds, for tests and benches that call a service's routes without
    /// running it.
    public func router<S: CycladesService>(for service: S.Type) async throws -> Router<ServiceRequestContext> {
        try await S.build(self).router ?? router { _ in }
    }

    /// `/health` (database, broker, outbox lag) and `/metrics`; a `publicFacing` process
    /// serves its metrics only to the holder of `CYCLADES_METRICS_TOKEN` (see `HealthRoutes`).
    public func addHealthRoutes(to router: Router<ServiceRequestContext>, publicFacing: Bool = false) {
        HealthRoutes(runtime: self, publicFacing: publicFacing).add(to: router)
    }

    /// Runs the service until SIGTERM/SIGINT (see `run(_:parts:)`).
    public func run<S: CycladesService>(_ service: S.Type) async throws {
        try await run(S.self, parts: S.build(self))
    }

    /// Runs `parts` of `S` until SIGTERM/SIGINT, in one `ServiceGroup`: the database client, then
    /// — once the migrations are applied under their advisory lock — the outbox relay, one
    /// consumer per queue, the service's own work and the HTTP server. A graceful shutdown stops
    /// them in the reverse order: the HTTP server first, the database client last. A service with
    /// several kinds of process (Evaluation's API and workers) builds each kind's parts itself.
    public func run<S: CycladesService>(_ service: S.Type, parts: ServiceParts) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: relay)]
        for queue in parts.queues {
            services.append(.init(service: queue.consumer(
                database: database, amqp: configuration.amqp, outbox: outbox, logger: logger)))
        }
        services += parts.services.map { .init(service: $0) }
        if let router = parts.router {
            services.append(.init(service: Application(
                router: router,
                configuration: .init(
                    address: .hostname(configuration.httpHost, port: configuration.httpPort),
                    serverName: "cyclades-\(S.name)"),
                logger: logger)))
        }
        let client = DatabaseClientService(client: database.client)
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: client),
                    .init(service: AfterMigrations(
                        runtime: self, migrations: try Self.allMigrations(S.self), client: client, services: services)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await serviceGroup.run()
    }
}

/// Runs the database client's pool and tells when `run()` has been entered: nothing may lease a
/// connection before (PostgresNIO warns, and the lease waits).
private final class DatabaseClientService: Service, Sendable {
    let client: PostgresClient
    private let waiters = Mutex<(running: Bool, continuations: [CheckedContinuation<Void, Never>])>((false, []))

    init(client: PostgresClient) { self.client = client }

    func run() async {
        let continuations = waiters.withLock { state in
            state.running = true
            defer { state.continuations = [] }
            return state.continuations
        }
        // `run()` marks the client running before its first suspension, so the waiters, resumed
        // on other threads, find it running before they reach a lease (at worst PostgresNIO
        // logs a warning and the lease waits for the pool: nothing is lost).
        for continuation in continuations { continuation.resume() }
        await client.run()
    }

    func running() async {
        await withCheckedContinuation { continuation in
            let now = waiters.withLock { state in
                if !state.running { state.continuations.append(continuation) }
                return state.running
            }
            if now { continuation.resume() }
        }
    }
}

/// Applies the migrations once the database client runs, then runs the service's own services
/// as a nested group (which takes the outer group's graceful shutdown).
private struct AfterMigrations: Service {
    let runtime: ServiceRuntime
    let migrations: [Migration]
    let client: DatabaseClientService
    let services: [ServiceGroupConfiguration.ServiceConfiguration]

    func run() async throws {
        await client.running()
        let applied = try await MigrationRunner(database: runtime.database).apply(migrations)
        runtime.logger.info("schema up to date", metadata: ["migrations.applied": "\(applied.count)"])
        try await ServiceGroup(configuration: .init(services: services, logger: runtime.logger)).run()
    }
}
