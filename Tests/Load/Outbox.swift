import AMQP
import Foundation
import Logging
import Messaging
import Storage
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Outbox end to end: transactions write `ProbeEvent`s through `OutboxWriter`; an `OutboxRelay`
/// (this process) publishes them; a `MessageConsumer` — the messaging probe, another process,
/// when it is there — handles each with the probe's handler (one INSERT into `effects`). Timed from the first
/// commit until `effects` holds every event.
struct OutboxBenchmark: Sendable {
    let options: Options
    let amqp: AMQPConfiguration
    let logger: Logger

    struct Result: Sendable {
        var events: Int
        var transactions: Int
        /// First commit → every event handled (the measure).
        var seconds: Double
        /// First commit → last commit.
        var writeSeconds: Double
        /// First commit → no unsent row left in the outbox (as seen by polling).
        var relaySeconds: Double?
        var consumer: String
        var rate: Double { Double(events) / seconds }
    }

    /// Where the consumer runs, decided before anything is set up.
    var probeAvailable: Bool { FileManager.default.isExecutableFile(atPath: options.probe) }

    func run() async throws -> Result {
        let useProbe: Bool
        switch options.consumer {
        case .probe:
            guard probeAvailable else { throw BenchmarkError("no messaging probe at \(options.probe)") }
            useProbe = true
        case .inProcess: useProbe = false
        case .auto: useProbe = probeAvailable
        }
        let queue = TestStack.uniqueName("load.outbox")
        let topology = Topology.consumerQueue(queue, exchange: Topology.events, routingKeys: [ProbeEvent.type])
        return try await TestStack.withScratchSchema("load") { database in
            let effectsMigration = Migration(
                source: "load", version: 1, name: "probe_tables",
                sql: ProbeSchema.statements.joined(separator: ";\n"))
            try await MigrationRunner(database: database).apply(try MessagingMigrations.all() + [effectsMigration])
            do {
                let result = try await measure(
                    database: database, queue: queue, topology: topology, useProbe: useProbe)
                await deleteQueues(queue)
                return result
            } catch {
                await deleteQueues(queue)
                throw error
            }
        }
    }

    private func deleteQueues(_ queue: String) async {
        guard let connection = try? await AMQPConnection.connect(amqp, logger: logger) else { return }
        try? await connection.deleteQueue(queue)
        try? await connection.deleteQueue("\(queue).dlq")
        await connection.close()
    }

    /// The consumer declares its queue itself (with the topology of the build it runs); events
    /// published before that would be unroutable, so wait for it.
    private func waitForQueue(_ queue: String, probe: Process?) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let probe, !probe.isRunning {
                throw BenchmarkError("the probe exited (status \(probe.terminationStatus)) before subscribing")
            }
            // A passive declare of a missing queue closes the channel: one connection per try.
            if let connection = try? await AMQPConnection.connect(amqp, logger: logger) {
                let exists = (try? await connection.messageCount(queue: queue)) != nil
                await connection.close()
                if exists { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("the consumer did not declare \(queue) within 60 s")
    }

    private func measure(
        database: Database, queue: String, topology: AMQPTopology, useProbe: Bool
    ) async throws -> Result {
        let relay = OutboxRelay(
            database: database,
            publisher: AMQPPublisher(configuration: amqp, logger: logger),
            logger: logger)
        let relayTask = Task { try await relay.run() }
        defer { relayTask.cancel() }

        var probe: Process?
        var consumerTask: Task<Void, any Error>?
        let consumerDescription: String
        if useProbe {
            probe = try startProbe(schema: database.schema, queue: queue)
            consumerDescription = "cyclades-messaging-probe (another process), prefetch 300"
        } else {
            let handlers = ProbeEvent.handlers(database: database)
            let consumer = MessageConsumer(
                database: database,
                amqp: AMQPConsumer(configuration: amqp, topology: topology, queue: queue, prefetch: 300, logger: logger),
                handlers: handlers, outbox: OutboxWriter(database: database, producer: "load"), logger: logger)
            consumerTask = Task { try await consumer.run() }
            consumerDescription = "in-process MessageConsumer task (no probe at \(options.probe)), prefetch 300"
        }
        defer {
            consumerTask?.cancel()
            if let probe, probe.isRunning { probe.terminate() }
        }

        let writer = OutboxWriter(database: database, producer: "load")
        let effects = "effects"

        // Warm-up: one event all the way through (connections made, relay elected, consumer
        // subscribed), so that the measure starts with everything running.
        try await waitForQueue(queue, probe: probe)
        try await write(writer, database: database, sequence: 0..<1)
        let warmUpDeadline = ContinuousClock.now + .seconds(120)
        while try await database.count(effects) < 1 {
            if let probe, !probe.isRunning {
                throw BenchmarkError("the probe exited (status \(probe.terminationStatus)) during the warm-up")
            }
            guard ContinuousClock.now < warmUpDeadline else {
                throw BenchmarkError("outbox warm-up: the event was not handled within 120 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }

        let events = options.events
        let perTransaction = options.eventsPerTransaction
        var firstCommit: ContinuousClock.Instant?
        var transactions = 0
        for start in stride(from: 1, through: events, by: perTransaction) {
            try await write(writer, database: database, sequence: start..<min(start + perTransaction, events + 1))
            transactions += 1
            if firstCommit == nil { firstCommit = ContinuousClock.now }
        }
        let lastCommit = ContinuousClock.now
        guard let firstCommit else { throw BenchmarkError("no events written") }

        // Poll until every event is handled; note when the relay has sent everything.
        var relayDone: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(options.timeoutSeconds)
        var handled = 0
        while true {
            handled = try await database.count(effects) - 1
            if relayDone == nil, try await database.count("outbox", where: "sent_at IS NULL") == 0 {
                relayDone = ContinuousClock.now
            }
            if handled >= events { break }
            if let probe, !probe.isRunning {
                throw BenchmarkError("the probe exited (status \(probe.terminationStatus)) after \(handled) events")
            }
            guard ContinuousClock.now < deadline else {
                throw BenchmarkError("outbox: \(handled) of \(events) handled after \(options.timeoutSeconds) s")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        let done = ContinuousClock.now
        if handled > events { note("outbox: \(handled - events) duplicate effects (redeliveries)") }

        relayTask.cancel()
        consumerTask?.cancel()
        if let probe {
            probe.terminate()
            await waitForExit(probe)
        }
        _ = try? await relayTask.value
        _ = try? await consumerTask?.value
        return Result(
            events: events, transactions: transactions, seconds: (done - firstCommit).seconds,
            writeSeconds: (lastCommit - firstCommit).seconds,
            relaySeconds: relayDone.map { ($0 - firstCommit).seconds }, consumer: consumerDescription)
    }

    private func write(_ writer: OutboxWriter, database: Database, sequence: Range<Int>) async throws {
        let entries = try sequence.map {
            try writer.entry(ProbeEvent(seq: $0), aggregate: "load-\($0 % 16)")
        }
        let logger = database.logger
        try await database.transaction { connection in
            try await writer.write(entries, on: connection, logger: logger)
        }
    }

    private func startProbe(schema: String, queue: String) throws -> Process {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in try TestStack.environment("admin") { environment[key] = value }
        environment["CYCLADES_PG_SCHEMA"] = schema
        environment["CYCLADES_PROBE_ROLE"] = "consume"
        environment["CYCLADES_PROBE_QUEUE"] = queue
        environment["CYCLADES_PROBE_EXCHANGE"] = Topology.events
        environment["CYCLADES_LOG_LEVEL"] = environment["CYCLADES_LOG_LEVEL"] ?? "warning"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.probe)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.standardError
        try process.run()
        return process
    }

    private func waitForExit(_ process: Process) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
