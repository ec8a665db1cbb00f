import AMQP
import Foundation
import TestSupport
import Testing

@Suite("Publish and consume through a quorum queue", .timeLimit(.minutes(2)))
struct RoundTripTests {
    static let count = 2_000

    /// A body that exercises every byte value, of a length that varies with the index.
    static func body(_ index: Int) -> [UInt8] {
        (0..<(index % 300)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) } + Array("#\(index)".utf8)
    }

    static func message(_ index: Int, exchange: String) -> AMQPOutgoingMessage {
        AMQPOutgoingMessage(
            exchange: exchange, routingKey: "test.roundtrip.\(index % 3)", body: body(index),
            messageID: "rt-\(index)", type: "test.roundtrip", contentType: "application/octet-stream",
            correlationID: "corr-\(index)", replyTo: "replies", timestamp: 1_700_000_000 + Int64(index),
            headers: ["index": .int(Int64(index)), "name": .string("message é \(index)"), "even": .bool(index % 2 == 0)])
    }

    @Test func everyMessageArrivesOnceAndIntact() async throws {
        let exchange = TestStack.uniqueName("test_rt_x")
        let queue = TestStack.uniqueName("test_rt_q")
        let topology = AMQPTest.topology(exchange: exchange, queue: .quorum(queue), routingKey: "test.roundtrip.*")
        try await AMQPTest.deletingQueues(queue) {
            try await roundTrip(topology: topology, exchange: exchange, queue: queue)
        }
    }

    func roundTrip(topology: AMQPTopology, exchange: String, queue: String) async throws {
        let publisher = try AMQPTest.publisher(topology, window: 200)
        let started = ContinuousClock.now
        try await publisher.publish((0..<Self.count).map { Self.message($0, exchange: exchange) })
        await publisher.close()
        let published = ContinuousClock.now

        let consumer = try AMQPTest.consumer(topology, queue: queue, prefetch: 100)
        let received = try await AMQPTest.withTimeout(.seconds(60)) {
            var received: [AMQPDelivery] = []
            for try await delivery in consumer.deliveries() {
                received.append(delivery)
                if received.count % 50 == 0 || received.count == Self.count {
                    try await consumer.ack(delivery, multiple: true)
                }
                if received.count == Self.count { break }
            }
            return received
        }
        await consumer.close()
        print("round trip: published \(Self.count) in \(published - started), consumed in \(ContinuousClock.now - published)")

        let ids = received.compactMap(\.messageID)
        #expect(ids.count == Self.count)
        #expect(Set(ids).count == Self.count, "no duplicates when nothing failed")
        #expect(Set(ids) == Set((0..<Self.count).map { "rt-\($0)" }))
        #expect(received.allSatisfy { !$0.redelivered && $0.generation == 1 })

        for delivery in received {
            let index = try #require(delivery.messageID.flatMap { Int($0.dropFirst(3)) })
            let sent = Self.message(index, exchange: exchange)
            #expect(delivery.body == sent.body, "body of \(index)")
            #expect(delivery.type == "test.roundtrip")
            #expect(delivery.contentType == "application/octet-stream")
            #expect(delivery.correlationID == "corr-\(index)")
            #expect(delivery.replyTo == "replies")
            #expect(delivery.timestamp == sent.timestamp)
            #expect(delivery.exchange == exchange)
            #expect(delivery.routingKey == sent.routingKey)
            #expect(delivery.headers["index"] == .int(Int64(index)))
            #expect(delivery.headers["name"] == .string("message é \(index)"))
            #expect(delivery.headers["even"] == .bool(index % 2 == 0))
        }
        // One queue, one consumer: a quorum queue keeps the publishing order.
        #expect(ids == (0..<Self.count).map { "rt-\($0)" })
        #expect(try await AMQPTest.messageCount(queue) == 0)
    }
}
