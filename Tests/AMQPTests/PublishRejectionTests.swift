import AMQP
import TestSupport
import Testing

@Suite("Messages the broker refuses are reported, not retried", .timeLimit(.minutes(1)))
struct PublishRejectionTests {
    /// Runs `publish`; returns what its `publishRejected` listed (nothing when it did not throw).
    func rejection(_ publish: () async throws -> Void) async throws -> (nacked: [Int], returned: [Int]) {
        do {
            try await publish()
            return ([], [])
        } catch AMQPError.publishRejected(let nacked, let returned) {
            return (nacked, returned)
        }
    }

    /// Publishes 50 messages into a queue of `x-max-length` 10 with `x-overflow` reject-publish;
    /// returns the nacked indexes and how many messages the queue kept.
    func overflow(_ queue: AMQPTopology.Queue, window: Int) async throws -> (nacked: [Int], stored: Int) {
        let exchange = TestStack.uniqueName("test_nack_x")
        let topology = AMQPTest.topology(exchange: exchange, queue: queue)
        return try await AMQPTest.deletingQueues(queue.name) {
            let publisher = try AMQPTest.publisher(topology, window: window)
            let (nacked, returned) = try await rejection {
                try await publisher.publish(AMQPTest.messages(50, exchange: exchange))
            }
            await publisher.close()
            #expect(returned.isEmpty)
            let stored = try await AMQPTest.messageCount(queue.name)
            print("overflow of \(queue.arguments["x-queue-type"]?.stringValue ?? "classic"), window \(window): \(nacked.count) nacked, \(stored) stored")
            return (nacked, stored)
        }
    }

    static let limit: [String: AMQPHeaderValue] = ["x-max-length": .int(10), "x-overflow": .string("reject-publish")]

    @Test func classicQueueNacksExactlyWhatExceedsTheLimit() async throws {
        let queue = AMQPTopology.Queue(TestStack.uniqueName("test_nack_classic_q"), arguments: Self.limit)
        let (nacked, stored) = try await overflow(queue, window: 200)
        #expect(nacked == Array(10..<50))
        #expect(stored == 10)
    }

    /// A quorum queue checks its limit after an enqueue, and tells the channel asynchronously:
    /// confirmed one by one, the 11th message still gets in, then every other is nacked.
    @Test func quorumQueueNacksOnceOverTheLimit() async throws {
        let queue = AMQPTopology.Queue.quorum(TestStack.uniqueName("test_nack_quorum_q"), extra: Self.limit)
        let (nacked, stored) = try await overflow(queue, window: 1)
        #expect(nacked == Array(11..<50))
        #expect(stored == 11)
    }

    /// Pipelined, a quorum queue may take far more than its limit before it starts refusing
    /// (sometimes all 50): its limit is no hard cap. Whatever it refused is reported, by index.
    @Test func pipelinedQuorumOverflowReportsEveryRefusal() async throws {
        let queue = AMQPTopology.Queue.quorum(TestStack.uniqueName("test_nack_quorum_q"), extra: Self.limit)
        let (nacked, stored) = try await overflow(queue, window: 200)
        #expect(nacked.count + stored == 50, "each message either stored or nacked")
        #expect(nacked == Array((50 - nacked.count)..<50), "refusals start at some index and never stop")
        #expect(stored >= 10)
    }

    @Test func unroutableMandatoryMessageIsReturned() async throws {
        let exchange = TestStack.uniqueName("test_return_x")
        let queue = TestStack.uniqueName("test_return_q")
        let topology = AMQPTest.topology(exchange: exchange, queue: .quorum(queue), routingKey: "test.routed")
        try await AMQPTest.deletingQueues(queue) {
            var messages = AMQPTest.messages(6, exchange: exchange, routingKey: "test.routed")
            messages[2].routingKey = "nowhere"
            messages[2].mandatory = true
            messages[4].routingKey = "nowhere"  // not mandatory: silently dropped
            let publisher = try AMQPTest.publisher(topology)
            let (nacked, returned) = try await rejection { try await publisher.publish(messages) }
            #expect(nacked.isEmpty)
            #expect(returned == [2])

            // The connection stays usable, and indexes are those of the new batch.
            var next = AMQPTest.messages(3, exchange: exchange, routingKey: "test.routed", prefix: "n")
            next[1].routingKey = "nowhere"
            next[1].mandatory = true
            let second = try await rejection { try await publisher.publish(next) }
            #expect(second.returned == [1])
            await publisher.close()
            #expect(try await AMQPTest.messageCount(queue) == 4 + 2)
        }
    }

    /// A channel error is no connection loss: retrying cannot help, so it must surface.
    @Test func unknownExchangeFailsInsteadOfRetryingForever() async throws {
        let publisher = try AMQPTest.publisher()
        let missing = TestStack.uniqueName("test_missing_x")
        let error = await #expect(throws: AMQPError.self) {
            try await AMQPTest.withTimeout(.seconds(10)) {
                try await publisher.publish(AMQPTest.messages(3, exchange: missing))
            }
        }
        guard case .closedByBroker(let code, _) = error else {
            Issue.record("expected closedByBroker(404), got \(String(describing: error))")
            return
        }
        #expect(code == 404)
        // The publisher recovers for the next call.
        try await publisher.publish(AMQPTest.messages(1, exchange: "amq.topic"))
        await publisher.close()
    }
}
