import AMQP
import Foundation
import Logging

/// The same runs as the C program, through the Swift wrapper's public clients:
/// `AMQPPublisher.publish(_:)` (pipelined confirms, `window` in flight) and `AMQPConsumer`
/// (`batches()`, `ack(_:multiple:)` every `ackEvery`).
struct SwiftClient: Sendable {
    let configuration: AMQPConfiguration
    let broker: Broker
    let logger: Logger
    let timeoutSeconds: Int

    /// A body of exactly `size` bytes that is valid JSON, as the C program sends.
    static func body(size: Int) -> [UInt8] {
        switch size {
        case 0: return []
        case 1: return Array("0".utf8)
        default:
            var body = [UInt8](repeating: UInt8(ascii: "x"), count: size)
            body[0] = UInt8(ascii: "\"")
            body[size - 1] = UInt8(ascii: "\"")
            return body
        }
    }

    /// Publishes `count` persistent messages of `size` bytes with at most `window` unconfirmed.
    /// Timed from the first publish to the last confirm; the connection (and confirm.select)
    /// is made beforehand, as the C program does, with one unroutable message.
    func publish(exchange: String, routingKey: String, count: Int, size: Int, window: Int) async throws -> Sample {
        let brokerBefore = broker.cpu()
        let cpuBefore = CPUTime.current()
        let publisher = AMQPPublisher(configuration: configuration, window: window, logger: logger)
        try await publisher.publish(
            AMQPOutgoingMessage(exchange: "", routingKey: "cyclades.load.nowhere", body: [], messageID: "warm-up"))
        let body = Self.body(size: size)
        let timestamp = Int64(Date().timeIntervalSince1970)
        let messages = (1...count).map {
            AMQPOutgoingMessage(
                exchange: exchange, routingKey: routingKey, body: body, messageID: "m-\($0)",
                timestamp: timestamp)
        }
        let start = ContinuousClock.now
        try await withTimeout(seconds: timeoutSeconds, "Swift publish") {
            try await publisher.publish(messages)
        }
        let elapsed = ContinuousClock.now - start
        await publisher.close()
        return Sample(
            count: count, seconds: elapsed.seconds, clientCPU: CPUTime.current() - cpuBefore,
            brokerCPU: both(brokerBefore, broker.cpu()).map { $1 - $0 })
    }

    /// Consumes `count` messages with `prefetch` and one `multiple` ack every `ackEvery`.
    /// Timed from the first delivery to the last ack.
    func consume(queue: String, count: Int, prefetch: Int, ackEvery: Int) async throws -> Sample {
        let brokerBefore = broker.cpu()
        let cpuBefore = CPUTime.current()
        let consumer = AMQPConsumer(
            configuration: configuration, topology: AMQPTopology(), queue: queue, prefetch: prefetch,
            logger: logger)
        let timeoutSeconds = self.timeoutSeconds
        let (first, last) = try await withTimeout(seconds: timeoutSeconds, "Swift consume") {
            var received = 0
            var unacked: AMQPDelivery?
            var sinceAck = 0
            var first: ContinuousClock.Instant?
            var idleSince = ContinuousClock.now
            var batches = 0
            batches: for try await batch in consumer.batches() {
                guard !batch.isEmpty else {
                    if ContinuousClock.now - idleSince > .seconds(timeoutSeconds) {
                        throw BenchmarkError("Swift consume: nothing for \(timeoutSeconds) s after \(received)")
                    }
                    continue
                }
                if first == nil { first = ContinuousClock.now }
                idleSince = ContinuousClock.now
                batches += 1
                for delivery in batch {
                    received += 1
                    sinceAck += 1
                    unacked = delivery
                    if sinceAck == ackEvery {
                        try await consumer.ack(delivery, multiple: true)
                        sinceAck = 0
                        unacked = nil
                    }
                    if received == count { break batches }
                }
            }
            if let unacked { try await consumer.ack(unacked, multiple: true) }
            guard received == count, let first else {
                throw BenchmarkError("Swift consume: the stream ended after \(received) of \(count)")
            }
            let last = ContinuousClock.now
            note("Swift consume: \(batches) batches, \(format(Double(received) / Double(batches), decimals: 1)) deliveries per batch on average")
            return (first, last)
        }
        await consumer.close()
        return Sample(
            count: count, seconds: (last - first).seconds, clientCPU: CPUTime.current() - cpuBefore,
            brokerCPU: both(brokerBefore, broker.cpu()).map { $1 - $0 })
    }
}

/// Runs `body`, failing with a clear message if it takes longer than `seconds`.
func withTimeout<T: Sendable>(
    seconds: Int, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw BenchmarkError("\(what): no result after \(seconds) s")
        }
        return value
    }
}
