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
///
/// Events are published `mandatory`: one the broker returns (no queue bound for its routing key)
/// is not marked sent but set aside as unroutable — counted, logged, shown by `/health` — and
/// published again every `unroutableRetryInterval` until a subscriber's queue takes it. Not the
/// results for outside bodies (`cyclades.resultats`): a subscriber binds only what it wants, what
/// nobody subscribed to is not owed to anyone, and a late subscriber asks for a replay.
public final class OutboxRelay: Service, Sendable {
    public struct Status: Sendable {
        /// Rows waiting for their first publication.
        public var pending: Int
        public var oldestAgeSeconds: Double
        /// Rows the broker returned as unroutable, waiting for a subscriber.
        public var unroutable: Int
        public var active: Bool
    }

    private let database: Database
    private let publisher: AMQPPublisher
    private let batchSize: Int
    private let pollInterval: Duration
    private let unroutableRetryInterval: Duration
    private let logger: Logger
    private let doorbell = Doorbell()
    private let published: Counter
    private let pendingGauge: Gauge
    private let ageGauge: Gauge
    private let unroutableGauge: Gauge
    private let returnedCounter: Counter

    public init(
        database: Database, publisher: AMQPPublisher, batchSize: Int = 1_000,
        pollInterval: Duration = .seconds(1), unroutableRetryInterval: Duration = .seconds(30), logger: Logger
    ) {
        self.database = database
        self.publisher = publisher
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.unroutableRetryInterval = unroutableRetryInterval
        self.logger = logger
        let dimensions = [("schema", database.schema)]
        self.published = Counter(label: "cyclades_outbox_published_total", dimensions: dimensions)
        self.pendingGauge = Gauge(label: "cyclades_outbox_pending", dimensions: dimensions)
        self.ageGauge = Gauge(label: "cyclades_outbox_oldest_age_seconds", dimensions: dimensions)
        self.unroutableGauge = Gauge(label: "cyclades_outbox_unroutable", dimensions: dimensions)
        self.returnedCounter = Counter(label: "cyclades_outbox_returned_total", dimensions: dimensions)
    }

    /// Unsent rows and the age of the oldest, for `/health` and metrics.
    public func status() async throws -> Status {
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: """
                SELECT count(*) FILTER (WHERE returned_at IS NULL)::int8,
                       COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE returned_at IS NULL)), 0)::float8,
                       count(*) FILTER (WHERE returned_at IS NOT NULL)::int8
                FROM \(database.table("outbox")) WHERE sent_at IS NULL
                """))
        for try await (count, age, unroutable) in rows.decode((Int64, Double, Int64).self) {
            pendingGauge.record(count)
            ageGauge.record(age)
            unroutableGauge.record(unroutable)
            return Status(pending: Int(count), oldestAgeSeconds: age, unroutable: Int(unroutable), active: true)
        }
        return Status(pending: 0, oldestAgeSeconds: 0, unroutable: 0, active: true)
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
                    var nextRetry = ContinuousClock.now + self.unroutableRetryInterval
                    while !Task.isCancelled {
                        let sent = try await self.relayOneBatch()
                        if ContinuousClock.now >= nextRetry {
                            try await self.retryUnroutable()
                            nextRetry = ContinuousClock.now + self.unroutableRetryInterval
                        }
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
        try await publishBatch(unroutable: false, mark: mark)
    }

    /// Publishes again the oldest rows set aside as unroutable: those a queue now takes are
    /// marked sent, the others stay aside.
    func retryUnroutable() async throws {
        try await publishBatch(unroutable: true, mark: true)
    }

    @discardableResult
    private func publishBatch(unroutable: Bool, mark: Bool) async throws -> Int {
        let outbox = database.table("outbox")
        var positions: [Int64] = []
        var messages: [AMQPOutgoingMessage] = []
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: """
                SELECT position, id, type, exchange, routing_key, correlation_id, envelope, created_at
                FROM \(outbox) WHERE sent_at IS NULL AND returned_at IS \(unroutable ? "NOT NULL" : "NULL")
                ORDER BY position LIMIT \(batchSize)
                """))
        for try await (position, id, type, exchange, routingKey, correlationID, envelope, createdAt)
            in rows.decode((Int64, UUID, String, String, String, String?, ByteBuffer, Date).self)
        {
            positions.append(position)
            messages.append(
                AMQPOutgoingMessage(
                    exchange: exchange, routingKey: routingKey, body: Array(buffer: envelope),
                    messageID: id.uuidString.lowercased(), type: type, correlationID: correlationID,
                    timestamp: Int64(createdAt.timeIntervalSince1970), mandatory: exchange != Topology.resultats))
        }
        guard !messages.isEmpty else {
            if !unroutable { pendingGauge.record(0) }
            return 0
        }
        var returned: [Int] = []
        do {
            try await publisher.publish(messages)
        } catch AMQPError.publishRejected(let nacked, let unroutable) where nacked.isEmpty {
            returned = unroutable
        }
        guard mark else { return messages.count }
        let returnedPositions = returned.map { positions[$0] }
        let sentPositions = Array(Set(positions).subtracting(returnedPositions))
        try await database.transaction { connection in
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: "UPDATE \(outbox) SET sent_at = now() WHERE position = ANY($1::int8[])",
                    binds: { var binds = PostgresBindings(); binds.append(sentPositions); return binds }()),
                logger: logger)
            if !returnedPositions.isEmpty {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "UPDATE \(outbox) SET returned_at = now(), returns = returns + 1 WHERE position = ANY($1::int8[])",
                        binds: { var binds = PostgresBindings(); binds.append(returnedPositions); return binds }()),
                    logger: logger)
            }
        }
        published.increment(by: sentPositions.count)
        if !returned.isEmpty {
            returnedCounter.increment(by: returned.count)
            let types = Set(returned.map { messages[$0].type ?? "?" }).sorted()
            // Warned once, when first set aside; the gauge keeps reporting them while they wait.
            logger.log(
                level: unroutable ? .debug : .warning,
                "events returned by the broker: no queue is bound for them; kept unsent, retried every \(unroutableRetryInterval)",
                metadata: ["count": "\(returned.count)", "types": "\(types.joined(separator: ","))"])
        }
        logger.debug("outbox batch published", metadata: ["count": "\(sentPositions.count)", "unroutable": "\(unroutable)"])
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
