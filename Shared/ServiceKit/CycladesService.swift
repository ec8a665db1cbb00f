import Hummingbird
import Messaging
import ServiceLifecycle
import Storage

/// A service of the platform, in the spirit of Hummingbird's `buildApplication`: it builds its
/// parts once from the runtime (database, broker settings, configuration, logger) and the kit
/// runs them — with the database client, the migrations, the outbox relay and one consumer per
/// queue — in one `ServiceGroup`, shut down gracefully on SIGTERM (`ServiceRuntime.run`).
public protocol CycladesService {
    /// Short name: schema, queue prefix, log label (`reglementation`).
    static var name: String { get }
    /// Its own migrations (the kit's outbox/inbox come first).
    static func migrations() throws -> [Migration]
    /// Its parts, built once: routes, the queues it consumes with their handlers, its own
    /// long-running work.
    static func build(_ runtime: ServiceRuntime) async throws -> ServiceParts
}

/// What a service is made of, as its `build` returns it.
public struct ServiceParts {
    /// The HTTP router (`runtime.router { api in … }` gives the usual one); nil runs no HTTP
    /// server (a worker process).
    public var router: Router<ServiceRequestContext>?
    /// The queues it consumes, each through the kit's `MessageConsumer`.
    public var queues: [ConsumedQueue]
    /// Its own long-running work (a listener the routes wait on, command publishers): started
    /// after the consumers and before the HTTP server, stopped in the reverse order.
    public var services: [any Service]

    public init(router: Router<ServiceRequestContext>?, queues: [ConsumedQueue] = [], services: [any Service] = []) {
        self.router = router
        self.queues = queues
        self.services = services
    }
}
