import AMQP
import TestSupport
import Testing

@Suite("AMQPConsumer.stop() and close()", .timeLimit(.minutes(1)))
struct ConsumerStopTests {
    @Test func stopDrainsTheBufferThenEnds_closeGivesUnackedBack() async throws {
        let exchange = TestStack.uniqueName("test_stop_x")
        let queue = TestStack.uniqueName("test_stop_q")
        let topology = AMQPTest.topology(exchange: exchange, queue: .quorum(queue))
        try await AMQPTest.deletingQueues(queue) {
            try await AMQPTest.declare(topology)
            let publisher = try AMQPTest.publisher(topology)
            try await publisher.publish(AMQPTest.messages(50, exchange: exchange))
            await publisher.close()

            let consumer = try AMQPTest.consumer(topology, queue: queue, prefetch: 10)
            // Ack the first delivery, stop, and keep iterating: the sequence must end by itself
            // after handing out what the broker had already sent — at most the prefetch: the
            // first ack goes after the cancel, so it makes room for nothing.
            let received = try await AMQPTest.withTimeout(.seconds(20)) {
                var received: [AMQPDelivery] = []
                for try await delivery in consumer.deliveries() {
                    received.append(delivery)
                    if received.count == 1 {
                        try await consumer.ack(delivery)
                        await consumer.stop()
                    }
                }
                return received
            }
            print("stop: \(received.count) deliveries handed out in all")
            #expect(received.count >= 2 && received.count <= 10)
            #expect(received.compactMap(\.messageID) == (0..<received.count).map { "m-\($0)" })

            // What was received can still be acked after stop().
            try await consumer.ack(received[1])
            // Stopped, not closed: the unacked deliveries are still held by the consumer.
            #expect(try await AMQPTest.messageCount(queue) == 50 - received.count)

            // Closing gives the unacked ones back to the queue; only the two acked are gone.
            await consumer.close()
            let settled = try await TestStack.eventually(timeout: .seconds(10)) {
                try await AMQPTest.messageCount(queue) == 48
            }
            #expect(settled, "48 messages ready again after close()")
            #expect(try await AMQPTest.get(queue)?.messageID == "m-2")
        }
    }
}
