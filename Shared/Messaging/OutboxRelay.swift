import AMQP
import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Storage

/// Publishes the outbox: takes unsent rows in order, publishes them with pipelined publisher
/// confirms, marks them sent. Woken by `LISTEN/NOTIFY` as a transaction commits, polling as a
/// fallback.
///
/// Several relays of one service may run (one per instance): they elect one active relay with a
/// PostgreSQL advisory lock, which keeps the per-aggregate order strict; the others wait and
/// take over when its connection dies. A relay killed between publishing and marking sends the
/// batch again on restart: consumers' inboxes absorb the duplicates.
public final class OutboxRelay: Service, Sendable {
    public struct Status: Sendable {
        public var pending: Int
        public var oldestAgeSeconds: Double
        public var active: Bool
    }

    private let database: Database
    private let publisher: AMQPPublisher
    private let batchSize: Int
    private let pollInterval: Duration
    private let logger: Logger
    private let doorbell = Doorbell()
    private let published: Counter
    private let pendingGauge: Gauge
    private let ageGauge: Gauge

    public init(
        database: Database, publisher: AMQPPublisher, batchSize: Int = 1_000,
        pollInterval: Duration = .seconds(1), logger: Logger
    ) {
        self.database = database
        self.publisher = publisher
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.logger = logger
        let dimensions = [("schema", database.schema)]
        self.published = Counter(label: "cyclades_outbox_published_total", dimensions: dimensions)
        self.pendingGauge = Gauge(label: "cyclades_outbox_pending", dimensions: dimensions)
        self.ageGauge = Gauge(label: "cyclades_outbox_oldest_age_seconds", dimensions: dimensions)
    }

    /// Unsent rows and the age of the oldest, for `/health` and metrics.
    public func status() async throws -> Status {
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: """
                SELECT count(*)::int8, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8
                FROM \(database.table("outbox")) WHERE sent_at IS NULL
                """))
        for try await (count, age) in rows.decode((Int64, Double).self) {
            pendingGauge.record(count)
            ageGauge.record(age)
            return Status(pending: Int(count), oldestAgeSeconds: age, active: true)
        }
        return Status(pending: 0, oldestAgeSeconds: 0, active: true)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.runElected() }
        await publisher.close()
    }

    /// Waits to be the active relay, then relays until cancelled. Retries on lost connections.
    private func runElected() async {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        let lockKey = "cyclades.outbox.relay.\(database.schema)"
        while !Task.isCancelled {
            do {
                try await database.client.withConnection { connection in
                    while !Task.isCancelled {
                        let rows = try await connection.query(
                            "SELECT pg_try_advisory_lock(hashtext(\(lockKey)))", logger: logger)
                        var acquired = false
                        for try await locked in rows.decode(Bool.self) { acquired = locked }
                        if acquired { break }
                        try await Task.sleep(for: .seconds(1))
                    }
                    try Task.checkCancellation()
                    logger.info("outbox relay active", metadata: ["schema": "\(database.schema)"])
                    backoff.reset()
                    try await relay(listeningOn: connection)
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("outbox relay interrupted", metadata: ["error": "\(String(reflecting: error))"])
                try? await backoff.sleep()
            }
        }
    }

    private func relay(listeningOn connection: PostgresConnection) async throws {
        try await connection.listen(on: "\(database.schema)_outbox") { notifications in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in notifications { await self.doorbell.ring() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        let sent = try await self.relayOneBatch()
                        if sent < self.batchSize {
                            await self.doorbell.wait(timeout: self.pollInterval)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// Publishes the next batch of unsent rows; returns how many.
    @discardableResult
    func relayOneBatch(mark: Bool = true) async throws -> Int {
        let outbox = database.table("outbox")
        var positions: [Int64] = []
        var messages: [AMQPOutgoingMessage] = []
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: """
                SELECT position, id, type, exchange, routing_key, correlation_id, envelope, created_at
                FROM \(outbox) WHERE sent_at IS NULL ORDER BY position LIMIT \(batchSize)
                """))
        for try await (position, id, type, exchange, routingKey, correlationID, envelope, createdAt)
            in rows.decode((Int64, UUID, String, String, String, String?, ByteBuffer, Date).self)
        {
            positions.append(position)
            messages.append(
                AMQPOutgoingMessage(
                    exchange: exchange, routingKey: routingKey, body: Array(buffer: envelope),
                    messageID: id.uuidString.lowercased(), type: type, correlationID: correlationID,
                    timestamp: Int64(createdAt.timeIntervalSince1970)))
        }
        guard !messages.isEmpty else {
            pendingGauge.record(0)
            return 0
        }
        do {
            try await publisher.publish(messages)
        } catch AMQPError.publishRejected(let nacked, let returned) where nacked.isEmpty {
            // Unroutable events (nobody subscribed yet) are not an error of the relay.
            logger.debug("events with no subscriber", metadata: ["count": "\(returned.count)"])
        }
        guard mark else { return messages.count }
        try await database.query(
            PostgresQuery(
                unsafeSQL: "UPDATE \(outbox) SET sent_at = now() WHERE position = ANY($1::int8[])",
                binds: { var binds = PostgresBindings(); binds.append(positions); return binds }()))
        published.increment(by: messages.count)
        logger.debug("outbox batch published", metadata: ["count": "\(messages.count)"])
        return messages.count
    }
}

extension OutboxRelay {
    /// Publishes the next batch and does not mark it: what a relay killed between its confirms
    /// and its UPDATE leaves behind. For the tests that prove the inbox absorbs it.
    public func publishWithoutMarking() async throws {
        try await relayOneBatch(mark: false)
    }
}
