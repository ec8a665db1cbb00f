import AMQP
import TestSupport
import Testing

@Suite("Dead-lettering through the consumer", .timeLimit(.minutes(1)))
struct DeadLetterTests {
    /// A topic exchange into `queue` (a quorum queue dead-lettering into its own DLX), and that
    /// DLX into `dlq`.
    static func topology(
        queue: String, dlq: String, deliveryLimit: Int? = nil
    ) -> (topology: AMQPTopology, exchange: String) {
        let exchange = TestStack.uniqueName("test_dl_x")
        let dlx = TestStack.uniqueName("test_dlx")
        let main = AMQPTest.topology(
            exchange: exchange,
            queue: .quorum(queue, deliveryLimit: deliveryLimit, deadLetterExchange: dlx, deadLetterRoutingKey: "dead"))
        let dead = AMQPTopology(
            exchanges: [.init(dlx, kind: .direct)], queues: [.quorum(dlq)],
            bindings: [.init(queue: dlq, exchange: dlx, routingKey: "dead")])
        return (dead + main, exchange)
    }

    /// Waits for the one message of `dlq`.
    static func deadLettered(_ dlq: String) async throws -> AMQPDelivery? {
        var found: AMQPDelivery?
        _ = try await TestStack.eventually(timeout: .seconds(10)) {
            found = try await AMQPTest.get(dlq)
            return found != nil
        }
        return found
    }

    @Test func rejectWithoutRequeueDeadLetters() async throws {
        let queue = TestStack.uniqueName("test_reject_q")
        let dlq = TestStack.uniqueName("test_reject_dlq")
        let (topology, exchange) = Self.topology(queue: queue, dlq: dlq)
        try await AMQPTest.deletingQueues(queue, dlq) {
            try await AMQPTest.declare(topology)
            let publisher = try AMQPTest.publisher(topology)
            try await publisher.publish(AMQPTest.messages(1, exchange: exchange, prefix: "poison"))
            await publisher.close()

            let consumer = try AMQPTest.consumer(topology, queue: queue, prefetch: 10)
            let first = try await AMQPTest.withTimeout(.seconds(10)) { () async throws -> AMQPDelivery? in
                for try await delivery in consumer.deliveries() { return delivery }
                return nil
            }
            let delivery = try #require(first)
            #expect(delivery.messageID == "poison-0")
            try await consumer.reject(delivery, requeue: false)
            await consumer.close()

            let dead = try #require(try await Self.deadLettered(dlq))
            #expect(dead.messageID == "poison-0")
            #expect(dead.body == Array("body 0".utf8))
            #expect(dead.routingKey == "dead")
            #expect(dead.headers["x-first-death-reason"] == .string("rejected"))
            #expect(dead.headers["x-first-death-queue"] == .string(queue))
            #expect(try await AMQPTest.messageCount(queue) == 0)
        }
    }

    @Test func deliveryLimitDeadLettersAfterRepeatedRequeues() async throws {
        let queue = TestStack.uniqueName("test_limit_q")
        let dlq = TestStack.uniqueName("test_limit_dlq")
        let (topology, exchange) = Self.topology(queue: queue, dlq: dlq, deliveryLimit: 2)
        try await AMQPTest.deletingQueues(queue, dlq) {
            try await AMQPTest.declare(topology)
            let publisher = try AMQPTest.publisher(topology)
            try await publisher.publish(AMQPTest.messages(1, exchange: exchange, prefix: "flaky"))
            await publisher.close()

            // Nack with requeue every delivery until the queue gives up on the message.
            let consumer = try AMQPTest.consumer(topology, queue: queue, prefetch: 10)
            let counts = try await AMQPTest.withTimeout(.seconds(20)) {
                var counts: [Int] = []
                for try await batch in consumer.batches() {
                    for delivery in batch {
                        #expect(delivery.messageID == "flaky-0")
                        counts.append(delivery.deliveryCount)
                        try await consumer.nack(delivery, requeue: true)
                    }
                    // Idle: done once the message has reached the DLQ.
                    if batch.isEmpty, !counts.isEmpty, try await AMQPTest.messageCount(dlq) == 1 {
                        return counts
                    }
                }
                return counts
            }
            await consumer.close()
            print("delivery limit: x-delivery-count seen \(counts)")

            #expect(counts == [0, 1, 2], "delivered limit + 1 times, x-delivery-count growing")
            let dead = try #require(try await Self.deadLettered(dlq))
            #expect(dead.messageID == "flaky-0")
            #expect(dead.headers["x-first-death-reason"] == .string("delivery_limit"))
            #expect(try await AMQPTest.messageCount(queue) == 0)
        }
    }
}
