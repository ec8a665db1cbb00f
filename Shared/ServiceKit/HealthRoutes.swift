import AMQP
import Foundation
import HTTPTypes
import Hummingbird
import Messaging

/// `/health` (database, broker, outbox lag) and `/metrics` (Prometheus text).
///
/// `/metrics` answers a caller presenting `Authorization: Bearer $CYCLADES_METRICS_TOKEN` when
/// that token is set. Without it, a service's metrics stay open on its internal port, and a
/// public-facing process (the gateway) does not serve them at all (404).
struct HealthRoutes: Sendable {
    let runtime: ServiceRuntime
    let publicFacing: Bool

    struct Health: ResponseEncodable {
        var status: String
        var service: String
        var database: Bool
        var broker: Bool
        var outboxPending: Int?
        var outboxOldestAgeSeconds: Double?
        /// Events the broker returned (no queue bound), kept and retried: an operator's alert.
        var outboxUnroutable: Int?
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("health") { _, _ -> EditedResponse<Health> in
            async let databaseUp = runtime.database.ping()
            async let brokerUp = runtime.brokerProbe.reachable()
            let outbox = try? await runtime.relay.status()
            let health = Health(
                status: "", service: runtime.configuration.serviceName, database: await databaseUp,
                broker: await brokerUp, outboxPending: outbox?.pending,
                outboxOldestAgeSeconds: outbox?.oldestAgeSeconds, outboxUnroutable: outbox?.unroutable)
            let ok = health.database && health.broker
            var body = health
            body.status = ok ? "ok" : "degraded"
            return EditedResponse(status: ok ? .ok : .serviceUnavailable, response: body)
        }
        let token = runtime.configuration.environment["CYCLADES_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        guard token != nil || !publicFacing else { return }
        router.get("metrics") { request, _ -> Response in
            if let token {
                let presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
                guard Self.sameBytes(presented, token) else {
                    throw ServiceError(.unauthorized, code: "metriques.jeton",
                                       message: "Les métriques sont réservées à l'exploitation : présentez son jeton.")
                }
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: Observability.registry.emitToBuffer())))
        }
    }

    /// Compares in a time that does not depend on where the two differ.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Whether the broker answers, for `/health`: one connection attempt at a time, its answer kept
/// for `ttl` (`CYCLADES_HEALTH_BROKER_TTL_MS`, default 5 s). A health check polled every
/// second, or a burst of them, costs at most one AMQP connection per `ttl` instead of one each.
public actor BrokerProbe {
    let configuration: AMQPConfiguration
    let ttl: Duration
    private var last: (up: Bool, at: ContinuousClock.Instant)?
    private var running: Task<Bool, Never>?
    /// How many connections the probe opened (for tests and metrics).
    public private(set) var attempts = 0

    init(configuration: AMQPConfiguration, environment: [String: String]) {
        var configuration = configuration
        configuration.connectTimeoutSeconds = 2
        configuration.connectionName = "\(configuration.connectionName)-health"
        self.configuration = configuration
        let milliseconds = Int(environment["CYCLADES_HEALTH_BROKER_TTL_MS"] ?? "").map { min(max($0, 0), 3_600_000) } ?? 5000
        ttl = .milliseconds(milliseconds)
    }

    public func reachable() async -> Bool {
        if let last, ContinuousClock.now - last.at < ttl { return last.up }
        if let running { return await running.value }
        attempts += 1
        let configuration = configuration
        let task = Task<Bool, Never> {
            guard let connection = try? await AMQPConnection.connect(configuration) else { return false }
            await connection.close()
            return true
        }
        running = task
        let up = await task.value
        last = (up, .now)
        running = nil
        return up
    }
}
