import AMQP
import Foundation
import TestSupport
import Testing

/// The broker drops a client that sends nothing for two heartbeat intervals. rabbitmq-c only
/// writes heartbeats when the application calls it, so an application that is busy or starved of
/// CPU for longer than that lost its connection (seen with every test suite at once on two cores).
/// The connection's own thread now sends them: an application that does not call the connection
/// for several intervals still finds it open.
@Suite("Heartbeats do not depend on the application's pace", .timeLimit(.minutes(1)))
struct HeartbeatTests {
    /// Heartbeats every 2 s: the broker closes a silent connection after about 4 s.
    static func configuration(_ name: String) throws -> AMQPConfiguration {
        var configuration = try AMQPTest.configuration(name)
        configuration.heartbeatSeconds = 2
        return configuration
    }

    @Test func anIdleConnectionStaysOpenWithoutTheApplicationCallingIt() async throws {
        let queue = TestStack.uniqueName("test_heartbeat_idle_q")
        try await AMQPTest.deletingQueues(queue) {
            let connection = try await AMQPConnection.connect(Self.configuration("heartbeat-idle"))
            try await connection.declare(AMQPTopology(queues: [.quorum(queue)]))
            // Four intervals without a single call from the application.
            try await Task.sleep(for: .seconds(8))
            #expect(try await connection.messageCount(queue: queue) == 0)
            await connection.close()
        }
    }

    @Test func aConsumerHoldingADeliveryStillAcksItOnTheSameConnection() async throws {
        let exchange = TestStack.uniqueName("test_heartbeat_x")
        let queue = TestStack.uniqueName("test_heartbeat_q")
        let topology = AMQPTest.topology(exchange: exchange, queue: .quorum(queue))
        try await AMQPTest.deletingQueues(queue) {
            try await AMQPTest.declare(topology)
            let publisher = try AMQPTest.publisher(topology)
            try await publisher.publish(AMQPTest.messages(1, exchange: exchange))
            await publisher.close()

            let connection = try await AMQPConnection.connect(Self.configuration("heartbeat-consumer"))
            try await connection.consume(queue: queue, prefetch: 10, consumerTag: "heartbeat-test")
            var deliveries: [AMQPDelivery] = []
            for _ in 0..<20 where deliveries.isEmpty {
                deliveries = try await connection.receive(max: 1, timeout: .milliseconds(500), generation: 1)
            }
            let delivery = try #require(deliveries.first)
            // The application holds the delivery (a database outage, a starved process) for
            // four heartbeat intervals, then acks it on the connection it came from.
            try await Task.sleep(for: .seconds(8))
            try await connection.ack(delivery.deliveryTag)
            // A receive round trip proves the connection is still open and the ack went out.
            _ = try await connection.receive(max: 1, timeout: .milliseconds(100), generation: 1)
            await connection.close()
            #expect(try await AMQPTest.messageCount(queue) == 0, "the ack was taken: nothing redelivered")
        }
    }
}
