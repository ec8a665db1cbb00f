import AMQP
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage
import TestSupport

/// A private corner of the test stack for one test: a scratch schema with the kit's tables and
/// the probe's, its own topic exchange and queue, and ways to run the relay and the consumer in
/// this process or as separate `cyclades-messaging-probe` processes.
struct MessagingFixture: Sendable {
    let database: Database
    let amqp: AMQPConfiguration
    let exchange: String
    let queue: String
    let logger: Logger

    static func with<T: Sendable>(_ body: (MessagingFixture) async throws -> T) async throws -> T {
        try await TestStack.withScratchSchema("msg") { database in
            try await MigrationRunner(database: database).apply(try MessagingMigrations.all())
            try await database.transaction { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(database.schema)"), logger: database.logger)
                for statement in ProbeSchema.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
                }
            }
            let fixture = MessagingFixture(
                database: database, amqp: try TestStack.amqp("admin"),
                exchange: "test.\(database.schema)", queue: "test.\(database.schema).events",
                logger: TestStack.logger("test.messaging"))
            let connection = try await AMQPConnection.connect(fixture.amqp)
            try await connection.declare(AMQPTopology(exchanges: Topology.exchanges + [.init(fixture.exchange, kind: .topic)]))
            try await connection.declare(fixture.topology)
            await connection.close()
            do {
                let result = try await body(fixture)
                await fixture.deleteQueues()
                return result
            } catch {
                await fixture.deleteQueues()
                throw error
            }
        }
    }

    var topology: AMQPTopology {
        Topology.consumerQueue(queue, exchange: exchange, routingKeys: [ProbeEvent.type])
    }

    var outbox: OutboxWriter { OutboxWriter(database: database, producer: "test") }

    /// Writes events `seqs` through the outbox, `perTransaction` per transaction.
    func writeEvents(
        _ seqs: some Sequence<Int>, perTransaction: Int = 100, poison: Set<Int> = [], crash: Set<Int> = [],
        hold: Set<Int> = [], pause: Duration = .zero
    ) async throws {
        var batch: [OutboxWriter.Entry] = []
        func flush() async throws {
            let entries = batch
            batch = []
            try await database.transaction { connection in
                try await outbox.write(entries, on: connection, logger: logger)
            }
            if pause > .zero { try await Task.sleep(for: pause) }
        }
        for seq in seqs {
            batch.append(try outbox.entry(
                ProbeEvent(seq: seq, poison: poison.contains(seq), crash: crash.contains(seq), hold: hold.contains(seq)),
                aggregate: "probe:\(seq % 10)", exchange: exchange))
            if batch.count == perTransaction { try await flush() }
        }
        if !batch.isEmpty { try await flush() }
    }

    func makeRelay(unroutableRetryInterval: Duration = .seconds(30)) -> OutboxRelay {
        OutboxRelay(
            database: database, publisher: AMQPPublisher(configuration: amqp, window: 500, logger: logger),
            pollInterval: .milliseconds(500), unroutableRetryInterval: unroutableRetryInterval, logger: logger)
    }

    /// The kit's consumer of this fixture's queue, with the probe's handler one message at a
    /// time, or (`batch`) as a batch handler.
    func makeConsumer(prefetch: Int = 300, batch: Bool = false) -> MessageConsumer {
        MessageConsumer(
            database: database,
            amqp: AMQPConsumer(configuration: amqp, topology: topology, queue: queue, prefetch: prefetch, logger: logger),
            handlers: batch ? ProbeEvent.batchHandlers(database: database) : ProbeEvent.handlers(database: database),
            outbox: outbox, logger: logger)
    }

    /// Runs services in this process while `body` runs, then shuts them down gracefully.
    func running<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    /// How many times a `hold` event's handling began (committed apart from its transaction).
    func holdsSeen() async throws -> Int {
        let rows = try await database.query(PostgresQuery(unsafeSQL:
            "SELECT holds_seen::int8 FROM \(database.table("probe_settings"))"))
        for try await seen in rows.decode(Int64.self) { return Int(seen) }
        return 0
    }

    /// Ends the transient failure of `hold` events.
    func releaseHolds() async throws {
        try await database.query(PostgresQuery(unsafeSQL:
            "UPDATE \(database.table("probe_settings")) SET hold_active = false"))
    }

    /// (rows, distinct seqs) in `effects`.
    func effects() async throws -> (rows: Int, distinct: Int) {
        let rows = try await database.query(PostgresQuery(unsafeSQL:
            "SELECT count(*)::int8, count(DISTINCT seq)::int8 FROM \(database.table("effects"))"))
        for try await (count, distinct) in rows.decode((Int64, Int64).self) { return (Int(count), Int(distinct)) }
        return (0, 0)
    }

    func unsent() async throws -> Int {
        try await database.count("outbox", where: "sent_at IS NULL")
    }

    func setPoison(active: Bool) async throws {
        try await database.query(PostgresQuery(unsafeSQL:
            "UPDATE \(database.table("probe_settings")) SET poison_active = \(active ? "true" : "false")"))
    }

    func messageCount(_ queue: String) async throws -> Int {
        let connection = try await AMQPConnection.connect(amqp)
        let count = try await connection.messageCount(queue: queue)
        await connection.close()
        return count
    }

    var deadLetters: DeadLetterAdmin { DeadLetterAdmin(configuration: amqp, queue: queue) }

    /// A `cyclades-messaging-probe` process (`consume` or `relay`) on this fixture.
    func probe(_ role: String) throws -> Process {
        let binary = TestStack.binDirectory.appendingPathComponent("cyclades-messaging-probe")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestStackError("\(binary.path) is missing: build with `swift build --build-tests`")
        }
        var environment = try TestStack.environment("admin")
        environment["CYCLADES_PG_SCHEMA"] = database.schema
        environment["CYCLADES_PROBE_ROLE"] = role
        environment["CYCLADES_PROBE_EXCHANGE"] = exchange
        environment["CYCLADES_PROBE_QUEUE"] = queue
        environment["CYCLADES_LOG_LEVEL"] = "warning"
        let process = Process()
        process.executableURL = binary
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func deleteQueues() async {
        guard let connection = try? await AMQPConnection.connect(amqp) else { return }
        try? await connection.deleteQueue(queue)
        if let connection = try? await AMQPConnection.connect(amqp) {
            try? await connection.deleteQueue("\(queue).dlq")
            await connection.close()
        }
        await connection.close()
    }
}

extension Process {
    /// SIGKILL, then wait for the process to be gone.
    func kill() {
        Foundation.kill(processIdentifier, SIGKILL)
        waitUntilExit()
    }

    /// SIGTERM, then wait.
    func stop() {
        terminate()
        waitUntilExit()
    }
}

import Testing

/// Expects `condition` to hold within `timeout` (polling), recording a failure otherwise.
func expectEventually(
    timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(200),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let held = try await TestStack.eventually(timeout: timeout, every: interval, condition)
    #expect(held, "condition not met within \(timeout)", sourceLocation: sourceLocation)
}

extension MessagingFixture {
    /// What the relay and the consumer have done so far: events published, effects written,
    /// messages in the inbox.
    func progress() async throws -> [Int] {
        [try await unsent(), try await effects().rows, try await database.count("inbox")]
    }

    /// Whether `condition` comes to hold while the relay and the consumer make progress: the
    /// wait fails only after `stall` without any (stuck, not slow). With every suite running at
    /// once on two cores, the same work takes seconds or minutes; what is under test is that it
    /// gets done, not how fast.
    func eventually(stall: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
        var last = try await progress()
        var deadline = ContinuousClock.now + stall
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
            let now = try await progress()
            if now != last {
                last = now
                deadline = ContinuousClock.now + stall
            }
        }
        return try await condition()
    }

    /// Expects `condition` to come to hold (see `eventually(stall:_:)`).
    func expectEventually(
        stall: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let held = try await eventually(stall: stall, condition)
        #expect(held, "condition not met, no progress for \(stall)", sourceLocation: sourceLocation)
    }
}
