import AMQP
import Synchronization
import TestSupport
import Testing

/// Restarts the shared test broker: run apart from the other tests (`--filter Chaos`).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct AMQPChaosTests {
    static let total = 3_000
    static let batchSize = 100

    /// Message ids received, with how many times each.
    final class Tally: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        func record(_ id: String) { counts.withLock { $0[id, default: 0] += 1 } }
        var distinct: Int { counts.withLock { $0.count } }
        var duplicates: Int { counts.withLock { $0.values.reduce(0) { $0 + $1 - 1 } } }
        var ids: Set<String> { counts.withLock { Set($0.keys) } }
    }

    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var current: Int { value.withLock { $0 } }
    }

    @Test func publisherAndConsumerRideThroughABrokerRestart() async throws {
        let exchange = TestStack.uniqueName("test_chaos_x")
        let queue = TestStack.uniqueName("test_chaos_q")
        let topology = AMQPTest.topology(exchange: exchange, queue: .quorum(queue))
        let recorder = LogRecorder()
        let publisher = AMQPPublisher(
            configuration: try AMQPTest.configuration("chaos-publisher"), topology: topology,
            window: 200, logger: recorder.logger("chaos.publisher"))
        let consumer = AMQPConsumer(
            configuration: try AMQPTest.configuration("chaos-consumer"), topology: topology,
            queue: queue, prefetch: 100, logger: recorder.logger("chaos.consumer"))
        let tally = Tally()
        let batchesPublished = Counter()
        let ackFailures = Counter()
        let laterGenerations = Counter()

        try await AMQPTest.deletingQueues(queue) {
            try await AMQPTest.declare(topology)
            let started = ContinuousClock.now

            // ~100 messages every ~0.5 s: about 15 s of traffic when nothing goes wrong.
            let publishing = Task {
                for batch in 0..<(Self.total / Self.batchSize) {
                    try await publisher.publish(AMQPTest.messages(
                        Self.batchSize, exchange: exchange, prefix: "chaos", from: batch * Self.batchSize))
                    batchesPublished.increment()
                    if batchesPublished.current < Self.total / Self.batchSize {
                        try await Task.sleep(for: .milliseconds(450))
                    }
                }
            }
            let consuming = Task {
                for try await batch in consumer.batches() {
                    for delivery in batch {
                        tally.record(delivery.messageID ?? "?")
                        if delivery.generation > 1 { laterGenerations.increment() }
                    }
                    if let last = batch.last {
                        // Fails while the broker is away: the broker redelivers, we count it.
                        do { try await consumer.ack(last, multiple: true) } catch { ackFailures.increment() }
                    }
                    if tally.distinct == Self.total { break }
                }
            }

            try await Task.sleep(for: .seconds(5))
            let publishedBeforeStop = batchesPublished.current
            try await TestStack.stack("rabbitmq", "stop")
            let stopped = ContinuousClock.now
            try await Task.sleep(for: .seconds(2))
            try await TestStack.stack("rabbitmq", "start")
            let restarted = ContinuousClock.now
            print("chaos: broker stopped after \(stopped - started) with \(publishedBeforeStop) batches published, back after \(restarted - stopped)")

            let allReceived = try await TestStack.eventually(timeout: .seconds(120), every: .milliseconds(500)) {
                tally.distinct == Self.total
            }
            let publishFinished = try await TestStack.eventually(timeout: .seconds(30)) {
                batchesPublished.current == Self.total / Self.batchSize
            }
            if !publishFinished { publishing.cancel() }
            consuming.cancel()
            let publishResult = await publishing.result
            _ = await consuming.result
            await publisher.close()
            await consumer.close()

            print("""
                chaos: \(tally.distinct) distinct ids in \(ContinuousClock.now - started), \
                \(tally.duplicates) duplicate deliveries, \(ackFailures.current) failed acks, \
                \(laterGenerations.current) deliveries on a later connection; \
                publisher connected \(recorder.count("AMQP publisher connected"))×, \
                consumer subscribed \(recorder.count("AMQP consumer subscribed"))×
                """)
            #expect(publishedBeforeStop > 0 && publishedBeforeStop < Self.total / Self.batchSize,
                    "the broker went away in the middle of the traffic")
            #expect(throws: Never.self, "the publisher never threw") { try publishResult.get() }
            #expect(publishFinished)
            #expect(allReceived)
            #expect(tally.ids == Set((0..<Self.total).map { "chaos-\($0)" }))
            #expect(recorder.count("AMQP publisher connected") >= 2, "publisher reconnected")
            #expect(recorder.count("AMQP consumer subscribed") >= 2, "consumer reconnected")
            #expect(laterGenerations.current > 0, "deliveries came on the new connection")
        }
    }
}
