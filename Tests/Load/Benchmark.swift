import AMQP
import Foundation
import Logging
import TestSupport

/// Rounds of C and Swift side by side, then the outbox end to end, then the report.
struct Benchmark: Sendable {
    let options: Options

    struct Round: Sendable {
        var index: Int
        var cPublish: Sample
        var swiftPublish: Sample
        var cConsume: Sample
        var swiftConsume: Sample
        var swiftFirst: Bool
    }

    func run() async throws {
        let amqp = try TestStack.amqp("admin", connectionName: "cyclades-load")
        let broker = Broker(stackDirectory: TestStack.stackDirectory)
        let logger = TestStack.logger("cyclades.load")
        note("stack \(TestStack.stackDirectory), broker \(amqp.redacted), broker pid \(broker.pid.map(String.init) ?? "unknown")")

        if options.diagnose == "consume" {
            try await Diagnostics(
                options: options, amqp: amqp,
                baseline: Baseline(
                    path: options.baseline, configuration: amqp, broker: broker, timeoutSeconds: options.timeoutSeconds),
                swift: SwiftClient(configuration: amqp, broker: broker, logger: logger, timeoutSeconds: options.timeoutSeconds),
                logger: logger
            ).consume()
            return
        }
        let machine = await Machine.describe()
        var rounds: [Round] = []
        if options.parts.contains(.amqp) {
            let baseline = Baseline(
                path: options.baseline, configuration: amqp, broker: broker, timeoutSeconds: options.timeoutSeconds)
            let swift = SwiftClient(
                configuration: amqp, broker: broker, logger: logger, timeoutSeconds: options.timeoutSeconds)
            let runID = UInt32.random(in: 0...UInt32.max)
            for index in (options.warmup ? 0 : 1)...options.rounds {
                let round = try await runRound(
                    index, runID: runID, amqp: amqp, logger: logger, baseline: baseline, swift: swift)
                note(describe(round))
                if index > 0 { rounds.append(round) }
            }
        }

        var outbox: OutboxBenchmark.Result?
        if options.parts.contains(.outbox) {
            note("outbox end to end: \(options.events) events in transactions of \(options.eventsPerTransaction)")
            outbox = try await OutboxBenchmark(options: options, amqp: amqp, logger: logger).run()
        }

        print(Report(
            options: options, rounds: rounds, outbox: outbox, machine: machine,
            loadAfter: Machine.loadAverage()).markdown)
    }

    /// One round: a fresh exchange and quorum queue per client; publish both, consume both.
    /// The order alternates between rounds so that neither client always goes first.
    private func runRound(
        _ index: Int, runID: UInt32, amqp: AMQPConfiguration, logger: Logger, baseline: Baseline,
        swift: SwiftClient
    ) async throws -> Round {
        let prefix = "load.\(runID).r\(index)"
        let cExchange = "\(prefix).c", cQueue = "\(prefix).c"
        let swiftExchange = "\(prefix).swift", swiftQueue = "\(prefix).swift"
        let routingKey = "load"
        let setup = try await AMQPConnection.connect(amqp, logger: logger)
        for (exchange, queue) in [(cExchange, cQueue), (swiftExchange, swiftQueue)] {
            try await setup.declare(
                AMQPTopology(
                    exchanges: [.init(exchange, kind: .topic)], queues: [.quorum(queue)],
                    bindings: [.init(queue: queue, exchange: exchange, routingKey: "#")]))
        }
        await setup.close()

        let swiftFirst = index % 2 == 0
        let count = options.messages
        note("round \(index == 0 ? "warm-up" : String(index)): publish (\(swiftFirst ? "Swift first" : "C first"))")
        var cPublish: Sample?
        var swiftPublish: Sample?
        for client in swiftFirst ? ["swift", "c"] : ["c", "swift"] {
            if client == "c" {
                cPublish = try await baseline.publish(
                    exchange: cExchange, routingKey: routingKey, count: count, size: options.size, window: options.window)
            } else {
                swiftPublish = try await swift.publish(
                    exchange: swiftExchange, routingKey: routingKey, count: count, size: options.size,
                    window: options.window)
            }
        }
        try await checkQueues([cQueue, swiftQueue], hold: count, amqp: amqp, logger: logger)

        note("round \(index == 0 ? "warm-up" : String(index)): consume")
        var cConsume: Sample?
        var swiftConsume: Sample?
        for client in swiftFirst ? ["swift", "c"] : ["c", "swift"] {
            if client == "c" {
                cConsume = try await baseline.consume(
                    queue: cQueue, count: count, prefetch: options.prefetch, ackEvery: options.ackEvery)
            } else {
                swiftConsume = try await swift.consume(
                    queue: swiftQueue, count: count, prefetch: options.prefetch, ackEvery: options.ackEvery)
            }
        }

        let cleanup = try await AMQPConnection.connect(amqp, logger: logger)
        for queue in [cQueue, swiftQueue] { try? await cleanup.deleteQueue(queue) }
        await cleanup.close()

        guard let cPublish, let swiftPublish, let cConsume, let swiftConsume else {
            throw BenchmarkError("round \(index) is incomplete")
        }
        return Round(
            index: index, cPublish: cPublish, swiftPublish: swiftPublish, cConsume: cConsume,
            swiftConsume: swiftConsume, swiftFirst: swiftFirst)
    }

    /// After publishing, each queue must hold exactly what was confirmed.
    private func checkQueues(_ queues: [String], hold count: Int, amqp: AMQPConfiguration, logger: Logger) async throws {
        let connection = try await AMQPConnection.connect(amqp, logger: logger)
        var held: [String: Int] = [:]
        do {
            for queue in queues { held[queue] = try await connection.messageCount(queue: queue) }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        for (queue, messages) in held where messages != count {
            throw BenchmarkError("queue \(queue) holds \(messages) messages after publishing \(count)")
        }
    }

    private func describe(_ round: Round) -> String {
        func rate(_ sample: Sample) -> String { format(sample.rate) }
        return "round \(round.index == 0 ? "warm-up" : String(round.index)): "
            + "publish C \(rate(round.cPublish)) / Swift \(rate(round.swiftPublish)) msg/s, "
            + "consume C \(rate(round.cConsume)) / Swift \(rate(round.swiftConsume)) msg/s"
    }
}
