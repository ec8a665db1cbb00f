import AMQP
import Foundation
import Hummingbird
import Logging
import Messaging
import ServiceLifecycle
import Storage

/// Everything a running service shares: settings, database, outbox, relay, token authority.
public struct ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let database: Database
    public let outbox: OutboxWriter
    public let relay: OutboxRelay
    public let tokens: InternalTokenAuthority
    public let logger: Logger

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
        tokens = await InternalTokenAuthority(secret: configuration.internalTokenSecret)
    }

    /// The kit's and the service's migrations, in the order they apply.
    public static func allMigrations<S: CycladesService>(_ service: S.Type) throws -> [Migration] {
        try MessagingMigrations.all() + S.migrations()
    }

    /// The router: `/health`, `/metrics`, and the service's `/v1` routes behind the token check.
    public func router<S: CycladesService>(for service: S.Type) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        addHealthRoutes(to: router)
        S.addRoutes(to: router.group("v1").add(middleware: InternalTokenMiddleware(authority: tokens)), runtime: self)
        return router
    }

    /// `/health` (database, broker, outbox lag) and `/metrics`.
    public func addHealthRoutes(to router: Router<ServiceRequestContext>) {
        HealthRoutes(runtime: self).add(to: router)
    }

    /// Runs the service until SIGTERM/SIGINT: applies migrations, then the outbox relay, the
    /// consumer (if any) and the HTTP server in one `ServiceGroup`, shut down gracefully.
    public func run<S: CycladesService>(_ service: S.Type) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            let applied = try await MigrationRunner(database: database).apply(Self.allMigrations(S.self))
            logger.info("schema up to date", metadata: ["migrations.applied": "\(applied.count)"])

            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: relay)]
            if let handlers = S.handlers(runtime: self) {
                let queue = Topology.eventsQueue(of: S.name)
                let consumer = AMQPConsumer(
                    configuration: configuration.amqp,
                    topology: MessageConsumer.topology(queue: queue, handlers: handlers),
                    queue: queue, prefetch: 300, logger: logger)
                services.append(.init(service: MessageConsumer(
                    database: database, amqp: consumer, handlers: handlers, outbox: outbox, logger: logger)))
            }
            for extra in try await S.extraServices(runtime: self) { services.append(.init(service: extra)) }
            let application = Application(
                router: try await S.makeRouter(runtime: self),
                configuration: .init(
                    address: .hostname(configuration.httpHost, port: configuration.httpPort),
                    serverName: "cyclades-\(S.name)"),
                logger: logger)
            services.append(.init(service: application))
            let serviceGroup = ServiceGroup(
                configuration: .init(
                    services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await serviceGroup.run()
            group.cancelAll()
        }
    }
}
