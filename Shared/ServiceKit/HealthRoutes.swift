import AMQP
import Foundation
import Hummingbird
import Messaging

/// `/health` (database, broker, outbox lag) and `/metrics` (Prometheus text).
struct HealthRoutes: Sendable {
    let runtime: ServiceRuntime

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
            async let brokerUp = brokerReachable()
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
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: Observability.registry.emitToBuffer())))
        }
    }

    private func brokerReachable() async -> Bool {
        var configuration = runtime.configuration.amqp
        configuration.connectTimeoutSeconds = 2
        configuration.connectionName = "\(configuration.connectionName)-health"
        guard let connection = try? await AMQPConnection.connect(configuration) else { return false }
        await connection.close()
        return true
    }
}
