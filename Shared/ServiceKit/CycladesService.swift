import Hummingbird
import Messaging
import ServiceLifecycle
import Storage

/// What a service tells the kit about itself; the kit does the rest (configuration, database,
/// migrations, outbox relay, consumer, HTTP server, health, metrics, commands).
public protocol CycladesService: Sendable {
    /// Short name: schema, queue prefix, log label (`reglementation`).
    static var name: String { get }
    /// Its own migrations (the kit's outbox/inbox come first).
    static func migrations() throws -> [Migration]
    /// The events it consumes, or nil when it consumes none.
    static func handlers(runtime: ServiceRuntime) -> MessageHandlers?
    /// Its `/v1` routes; they run behind the internal-token middleware.
    static func addRoutes(to group: RouterGroup<ServiceRequestContext>, runtime: ServiceRuntime)
    /// The whole router. The default is `/health`, `/metrics` and `addRoutes` under `/v1` behind
    /// the internal token; the gateway, the public door, builds its own.
    static func makeRouter(runtime: ServiceRuntime) async throws -> Router<ServiceRequestContext>
    /// Long-running work of `serve` besides the kit's relay, consumer and HTTP server (e.g. a
    /// listener the routes wait on). Started before the HTTP server, stopped after it. Default: none.
    static func extraServices(runtime: ServiceRuntime) async throws -> [any Service]
}

extension CycladesService {
    public static func makeRouter(runtime: ServiceRuntime) async throws -> Router<ServiceRequestContext> {
        runtime.router(for: Self.self)
    }

    public static func extraServices(runtime: ServiceRuntime) async throws -> [any Service] { [] }
}
