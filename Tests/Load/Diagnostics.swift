import AMQP
import Foundation
import Logging

/// `--diagnose consume`: where the Swift consumer loses to C. Fills fresh quorum queues with the
/// C publisher, then consumes them with the C program and with the wrapper at several layers:
///
/// - `AMQPConsumer` (`batches()` + `ack(_:multiple:)`), the public client, as in the benchmark;
/// - `AMQPConnection.receive(max:)` + `ack` from a task (an executor hop per call), with batches
///   of `prefetch` (what `AMQPConsumer` asks for) and of `ackEvery`;
/// - the same loop run *on* the connection's executor (`isolated` parameter, no hop at all).
struct Diagnostics: Sendable {
    let options: Options
    let amqp: AMQPConfiguration
    let baseline: Baseline
    let swift: SwiftClient
    let logger: Logger

    func consume() async throws {
        let count = options.messages
        let p = options.prefetch, a = options.ackEvery
        let variants: [(String, (String) async throws -> Sample)] = [
            ("C rabbitmq-c", { try await baseline.consume(queue: $0, count: count, prefetch: p, ackEvery: a) }),
            ("AMQPConsumer.batches (max \(p))", { try await swift.consume(queue: $0, count: count, prefetch: p, ackEvery: a) }),
            ("AMQPConnection.receive(max: \(p)) + ack every \(a): a hop per call", { try await lowLevel(queue: $0, batch: p, mode: .hops) }),
            ("AMQPConnection.receive(max: \(a)) + ack every \(a): a hop per call", { try await lowLevel(queue: $0, batch: a, mode: .hops) }),
            ("ack of the previous batch + receive(max: \(p)) in one hop", { try await lowLevel(queue: $0, batch: p, mode: .oneHopPerBatch) }),
            ("ack of the previous batch + receive(max: \(a)) in one hop", { try await lowLevel(queue: $0, batch: a, mode: .oneHopPerBatch) }),
            ("receive(max: \(p)) + ack every \(a), loop on the connection's thread", { try await lowLevel(queue: $0, batch: p, mode: .isolated) }),
            ("receive(max: \(a)) + ack every \(a), loop on the connection's thread", { try await lowLevel(queue: $0, batch: a, mode: .isolated) }),
        ]
        var results: [String: [Double]] = [:]
        var cpu: [String: [Double]] = [:]
        let runID = UInt32.random(in: 0...UInt32.max)
        for round in 1...options.rounds {
            for (index, (name, run)) in variants.enumerated() {
                let name = name
                let exchange = "load.\(runID).diag.\(round).\(index)"
                let queue = exchange
                let setup = try await AMQPConnection.connect(amqp, logger: logger)
                try await setup.declare(
                    AMQPTopology(
                        exchanges: [.init(exchange, kind: .topic)], queues: [.quorum(queue)],
                        bindings: [.init(queue: queue, exchange: exchange, routingKey: "#")]))
                _ = try await baseline.publish(
                    exchange: exchange, routingKey: "load", count: count, size: options.size, window: options.window)
                let sample = try await run(queue)
                try? await setup.deleteQueue(queue)
                await setup.close()
                results[name, default: []].append(sample.rate)
                cpu[name, default: []].append(sample.clientMicrosPerMessage)
                note("diagnose round \(round): \(name): \(format(sample.rate)) msg/s, \(format(sample.clientMicrosPerMessage, decimals: 2)) µs CPU/msg")
            }
        }
        let reference = median(results[variants[0].0] ?? [])
        var lines = ["| consume variant (prefetch \(p), ack multiple every \(a)) | msg/s | vs C | client CPU µs/msg |", "|---|---:|---:|---:|"]
        for (name, _) in variants {
            let rate = median(results[name] ?? [])
            lines.append("| \(name) | \(format(rate)) | \(format(rate / reference, decimals: 2)) | \(format(median(cpu[name] ?? []), decimals: 2)) |")
        }
        print(lines.joined(separator: "\n"))
    }

    enum Mode { case hops, oneHopPerBatch, isolated }

    /// Consumes with the connection's own calls: from a task (`hops`: each call hops to the
    /// connection's thread and back; `oneHopPerBatch`: the ack of a batch and the next receive in
    /// one hop), or with the whole loop on the connection's executor (`isolated`).
    private func lowLevel(queue: String, batch: Int, mode: Mode) async throws -> Sample {
        let cpuBefore = CPUTime.current()
        let connection = try await AMQPConnection.connect(amqp, logger: logger)
        try await connection.consume(queue: queue, prefetch: options.prefetch, consumerTag: "load-diag")
        let count = options.messages, ackEvery = options.ackEvery
        let elapsed: Duration
        switch mode {
        case .isolated:
            elapsed = try await Self.loop(connection, count: count, batch: batch, ackEvery: ackEvery)
        case .hops:
            elapsed = try await Self.loopWithHops(connection, count: count, batch: batch, ackEvery: ackEvery)
        case .oneHopPerBatch:
            elapsed = try await Self.loopOneHopPerBatch(connection, count: count, batch: batch)
        }
        await connection.close()
        return Sample(count: count, seconds: elapsed.seconds, clientCPU: CPUTime.current() - cpuBefore, brokerCPU: nil)
    }

    private static func loop(
        _ connection: isolated AMQPConnection, count: Int, batch: Int, ackEvery: Int
    ) throws -> Duration {
        var received = 0, sinceAck = 0
        var lastTag: UInt64 = 0
        var first: ContinuousClock.Instant?
        while received < count {
            let deliveries = try connection.receive(max: min(batch, count - received), timeout: .seconds(30), generation: 0)
            guard !deliveries.isEmpty else { throw BenchmarkError("diagnose: nothing for 30 s") }
            if first == nil { first = .now }
            for delivery in deliveries {
                received += 1
                sinceAck += 1
                lastTag = delivery.deliveryTag
                if sinceAck == ackEvery {
                    try connection.ack(lastTag, multiple: true)
                    sinceAck = 0
                }
            }
        }
        if sinceAck > 0 { try connection.ack(lastTag, multiple: true) }
        return .now - first!
    }

    private static func loopWithHops(
        _ connection: AMQPConnection, count: Int, batch: Int, ackEvery: Int
    ) async throws -> Duration {
        var received = 0, sinceAck = 0
        var lastTag: UInt64 = 0
        var first: ContinuousClock.Instant?
        while received < count {
            let deliveries = try await connection.receive(max: min(batch, count - received), timeout: .seconds(30), generation: 0)
            guard !deliveries.isEmpty else { throw BenchmarkError("diagnose: nothing for 30 s") }
            if first == nil { first = .now }
            for delivery in deliveries {
                received += 1
                sinceAck += 1
                lastTag = delivery.deliveryTag
                if sinceAck == ackEvery {
                    try await connection.ack(lastTag, multiple: true)
                    sinceAck = 0
                }
            }
        }
        if sinceAck > 0 { try await connection.ack(lastTag, multiple: true) }
        return .now - first!
    }

    /// What an `AMQPConsumer.nextBatch(acking:)` would do: one hop that acks what the
    /// application finished and takes the next batch.
    private static func ackThenReceive(
        _ connection: isolated AMQPConnection, ack tag: UInt64?, max: Int
    ) throws -> [AMQPDelivery] {
        if let tag { try connection.ack(tag, multiple: true) }
        return try connection.receive(max: max, timeout: .seconds(30), generation: 0)
    }

    private static func loopOneHopPerBatch(_ connection: AMQPConnection, count: Int, batch: Int) async throws -> Duration {
        var received = 0
        var pendingAck: UInt64?
        var first: ContinuousClock.Instant?
        while received < count {
            let deliveries = try await ackThenReceive(connection, ack: pendingAck, max: min(batch, count - received))
            guard !deliveries.isEmpty else { throw BenchmarkError("diagnose: nothing for 30 s") }
            if first == nil { first = .now }
            received += deliveries.count
            pendingAck = deliveries.last?.deliveryTag
        }
        if let pendingAck { try await connection.ack(pendingAck, multiple: true) }
        return .now - first!
    }
}
