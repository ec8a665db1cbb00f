import AMQP
import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Storage

/// Consumes a service's queue at least once and applies each message exactly once by effect.
///
/// A batch of deliveries is handled in one transaction that first records the message ids in the
/// `inbox` (duplicates are skipped), then runs the handlers; the batch is acked (one `multiple`
/// ack) after commit. If the transaction fails for a transient reason (database down), the batch
/// is held and retried with backoff — never requeued in a hot loop. If it fails for a permanent
/// reason, the batch is handled again message by message to isolate the culprit, which is
/// rejected to the dead-letter queue while the others go through.
///
/// A message that crashes its process cannot be caught: the broker redelivers it, with everything
/// else that was in flight. Redelivered messages therefore have their attempts counted
/// beforehand in `inbox_attempts` (committed on its own): met for the first time, they are
/// handled again together; met again (they were being handled when a process died), one at a
/// time, each counted just before it is handled. The one that crashes its process shows a
/// growing count and is dead-lettered after `maximumAttempts`, while its innocent neighbours go
/// through. A count stands only while its handling runs: held on a transient failure, the
/// message gets its attempt back, so that kills while the database is away charge nothing. The
/// queue's delivery limit stays as the broker's last safety net.
public final class MessageConsumer: Service, Sendable {
    private let database: Database
    private let amqp: AMQPConsumer
    private let handlers: MessageHandlers
    private let outbox: OutboxWriter
    private let logger: Logger
    private let inbox: String
    private let attempts: String
    private let maximumAttempts: Int

    public init(
        database: Database, amqp: AMQPConsumer, handlers: MessageHandlers, outbox: OutboxWriter,
        maximumAttempts: Int = 3, logger: Logger
    ) {
        self.database = database
        self.amqp = amqp
        self.handlers = handlers
        self.outbox = outbox
        self.logger = logger
        self.inbox = database.table("inbox")
        self.attempts = database.table("inbox_attempts")
        self.maximumAttempts = maximumAttempts
    }

    /// The queue topology for `queue`, bound to every type the handlers know.
    public static func topology(queue: String, handlers: MessageHandlers) -> AMQPTopology {
        Topology.consumerQueue(queue, routingKeys: handlers.types)
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchDeadLetters() }
            try await consume()
            group.cancelAll()
        }
    }

    private func consume() async throws {
        var stopping = false
        // Also told at once when the shutdown starts while no batch comes (the broker down and
        // the consumer reconnecting): it must not wait for a broker to stop.
        let amqp = self.amqp
        try await withGracefulShutdownHandler {
            for try await batch in amqp.batches() {
                if !batch.isEmpty { try await process(batch) }
                if Task.isShuttingDownGracefully && !stopping {
                    // Stop intake; what the broker already sent still arrives and is handled.
                    stopping = true
                    await amqp.stop()
                }
                if Task.isCancelled { break }
            }
        } onGracefulShutdown: {
            Task { await amqp.stop() }
        }
        await amqp.close()
    }

    /// Publishes the dead-letter queue's depth as `cyclades_dead_letters{queue}` every 30 s.
    private func watchDeadLetters() async {
        let admin = DeadLetterAdmin(configuration: amqp.configuration, queue: amqp.queue)
        let gauge = Gauge(label: "cyclades_dead_letters", dimensions: [("queue", admin.deadLetterQueue)])
        while !Task.isCancelled {
            if let count = try? await admin.count() { gauge.record(count) }
            try? await Task.sleep(for: .seconds(30))
        }
    }

    private struct Item {
        var delivery: AMQPDelivery
        var metadata: EnvelopeMetadata
        var entry: MessageHandlers.Entry
    }

    func process(_ batch: [AMQPDelivery]) async throws {
        var items: [Item] = []
        for delivery in batch {
            switch decode(delivery) {
            case .success(let item): items.append(item)
            case .failure(let failure): try await deadLetter(delivery, type: delivery.type, reason: failure.reason)
            }
        }
        let suspects = items.filter { $0.delivery.redelivered || $0.delivery.deliveryCount > 0 }
        let fresh = items.filter { !($0.delivery.redelivered || $0.delivery.deliveryCount > 0) }
        if !suspects.isEmpty { try await processSuspects(suspects) }
        guard !fresh.isEmpty else { return }
        do {
            try await handleHoldingOnTransientFailure(fresh)
            try await amqp.ack(fresh[fresh.count - 1].delivery, multiple: true)
        } catch let failure as PermanentFailure where fresh.count > 1 {
            logger.info("batch failed, isolating the culprit", metadata: ["error": "\(failure.reason)"])
            for item in fresh { try await processAlone(item) }
        } catch let failure as PermanentFailure {
            try await deadLetter(fresh[0].delivery, type: fresh[0].metadata.type, reason: failure.reason)
        }
    }

    private func processAlone(_ item: Item) async throws {
        do {
            try await handleHoldingOnTransientFailure([item])
            try await amqp.ack(item.delivery)
        } catch let failure as PermanentFailure {
            try await deadLetter(item.delivery, type: item.metadata.type, reason: failure.reason)
        }
    }

    /// Redelivered messages. Those never counted before were in flight when a process stopped
    /// (killed, restarted, or crashed by one of them): their attempt is counted for all of them
    /// in one committed statement, then they are handled again together, at batch speed. Those
    /// already counted were being handled again when a process died: one at a time, each
    /// counted just before it is handled, so that only the message in hand is charged — the one
    /// that crashes its process reaches `maximumAttempts` and the dead-letter queue, its
    /// neighbours go through.
    private func processSuspects(_ suspects: [Item]) async throws {
        let counted = try await alreadyCounted(suspects)
        let firstTime = suspects.filter { !counted.contains(Self.key($0)) }
        var alone = suspects.filter { counted.contains(Self.key($0)) }
        if firstTime.count == 1 {
            alone.insert(firstTime[0], at: 0)
        } else if !firstTime.isEmpty {
            do {
                try await handleCountingAttempts(firstTime, limit: nil)
            } catch let failure as PermanentFailure {
                logger.info("batch failed, isolating the culprit", metadata: ["error": "\(failure.reason)"])
                alone = firstTime + alone
            }
        }
        for item in alone {
            do {
                try await handleCountingAttempts([item], limit: maximumAttempts)
            } catch let failure as PermanentFailure {
                try await deadLetter(item.delivery, type: item.metadata.type, reason: failure.reason)
            }
        }
    }

    /// Counts one attempt for `items` (committed on its own), then handles them in one
    /// transaction and acks them; a single item past `limit` goes to the dead-letter queue
    /// instead. The count stands only while the handling runs: a transient failure gives it
    /// back as soon as the database answers again. A message held while the database is away
    /// did not crash anything, and the kills that happen meanwhile (an orchestrator restarting
    /// a stuck-looking worker) must not walk it to the dead-letter queue.
    private func handleCountingAttempts(_ items: [Item], limit: Int?) async throws {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
        while true {
            let counts = try await countAttempt(items)
            if let limit, items.count == 1, let attempt = counts[Self.key(items[0])], attempt > limit {
                try await deadLetter(
                    items[0].delivery, type: items[0].metadata.type,
                    reason: "handling was interrupted \(attempt - 1) times (the consumer crashed or was killed)")
                return
            }
            do {
                try await handleOnce(items)
                for item in items { try await amqp.ack(item.delivery) }
                return
            } catch let error where error.isTransientDatabaseFailure && !Task.isCancelled {
                warnHolding(items, error)
                try await refundAttempt(items)
                try await backoff.sleep()
            }
        }
    }

    private static func key(_ item: Item) -> String { item.metadata.id.uuidString.lowercased() }

    /// The ids among `items` whose attempts were counted before.
    private func alreadyCounted(_ items: [Item]) async throws -> Set<String> {
        let ids = Array(Set(items.map(Self.key)))
        return try await retryingTransientFailures {
            var binds = PostgresBindings()
            binds.append(ids)
            let rows = try await self.database.query(PostgresQuery(
                unsafeSQL: "SELECT message_id FROM \(self.attempts) WHERE message_id = ANY($1::text[])",
                binds: binds))
            var ids: Set<String> = []
            for try await id in rows.decode(String.self) { ids.insert(id) }
            return ids
        }
    }

    /// Adds one to the attempts of each message (committed on its own); returns the counts.
    private func countAttempt(_ items: [Item]) async throws -> [String: Int] {
        // One row per id, even when a message came twice in the batch.
        let ids = Array(Set(items.map(Self.key)))
        return try await retryingTransientFailures {
            var binds = PostgresBindings()
            binds.append(ids)
            let rows = try await self.database.query(PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(self.attempts) (message_id, attempts) SELECT id, 1 FROM UNNEST($1::text[]) AS id
                    ON CONFLICT (message_id) DO UPDATE SET attempts = \(self.attempts).attempts + 1, last_attempt = now()
                    RETURNING message_id, attempts
                    """,
                binds: binds))
            var counts: [String: Int] = [:]
            for try await (id, count) in rows.decode((String, Int).self) { counts[id] = count }
            return counts
        }
    }

    /// Takes back the attempt `countAttempt` added (retrying until the database answers).
    private func refundAttempt(_ items: [Item]) async throws {
        let ids = Array(Set(items.map(Self.key)))
        try await retryingTransientFailures {
            var binds = PostgresBindings()
            binds.append(ids)
            try await self.database.query(PostgresQuery(
                unsafeSQL: "UPDATE \(self.attempts) SET attempts = attempts - 1 WHERE message_id = ANY($1::text[]) AND attempts > 0",
                binds: binds))
        }
    }

    private func retryingTransientFailures<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
        while true {
            do {
                return try await body()
            } catch let error where error.isTransientDatabaseFailure && !Task.isCancelled {
                try await backoff.sleep()
            }
        }
    }

    private struct PermanentFailure: Error { var reason: String }

    private func decode(_ delivery: AMQPDelivery) -> Result<Item, PermanentFailure> {
        let metadata: EnvelopeMetadata
        do {
            metadata = try MessageCoding.decoder().decode(EnvelopeMetadata.self, from: Data(delivery.body))
        } catch {
            return .failure(PermanentFailure(reason: "undecodable envelope: \(error)"))
        }
        guard let entry = handlers.entries[metadata.type] else {
            return .failure(PermanentFailure(reason: "unknown message type \(metadata.type)"))
        }
        if let forged = Self.forgery(delivery, metadata) { return .failure(PermanentFailure(reason: forged)) }
        return .success(Item(delivery: delivery, metadata: metadata, entry: entry))
    }

    /// The broker user trusted to publish for any producer: the operator's account, which
    /// replays dead letters and drives the tests' stand-in producers.
    public static let operatorUser = "admin"

    /// Why a message is not from whom it claims, or nil. The broker validated `user_id` (the
    /// publishing connection's user); the envelope's producer must be that service, and its
    /// type one of that service's (`<producer>.…`). One service's credentials thus cannot pass
    /// for another's events or commands.
    static func forgery(_ delivery: AMQPDelivery, _ metadata: EnvelopeMetadata) -> String? {
        guard let user = delivery.userID else { return "no user_id: the publisher is unknown" }
        if user == operatorUser { return nil }
        guard user == metadata.producer else {
            return "published by broker user \(user) for producer \(metadata.producer)"
        }
        guard metadata.type.hasPrefix("\(user).") else {
            return "broker user \(user) may not publish \(metadata.type)"
        }
        return nil
    }

    /// Runs the items in one transaction, retrying transient failures with backoff for as long
    /// as it takes (the connection's own thread keeps its heartbeats going meanwhile). Throws
    /// `PermanentFailure` otherwise.
    private func handleHoldingOnTransientFailure(_ items: [Item]) async throws {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
        while true {
            do {
                try await handleOnce(items)
                return
            } catch let error where error.isTransientDatabaseFailure && !Task.isCancelled {
                warnHolding(items, error)
                try await backoff.sleep()
            }
        }
    }

    /// One try of `items` in one transaction. Rethrows transient database failures and
    /// cancellation as they are — a transient failure met while cancelled is no verdict on the
    /// message, which comes again on the next start; any other failure becomes
    /// `PermanentFailure`.
    private func handleOnce(_ items: [Item]) async throws {
        let start = ContinuousClock.now
        do {
            let duplicates = try await handleInTransaction(items)
            record(items, duplicates: duplicates, elapsed: ContinuousClock.now - start)
        } catch let error where error.isTransientDatabaseFailure {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as PermanentMessageError {
            throw PermanentFailure(reason: error.reason)
        } catch {
            throw PermanentFailure(reason: String(reflecting: error))
        }
    }

    private func warnHolding(_ items: [Item], _ error: any Error) {
        logger.warning(
            "transient failure, holding the messages",
            metadata: ["count": "\(items.count)", "error": "\(String(reflecting: error))"])
        for item in items {
            Counter(label: "cyclades_messages_failed_total",
                    dimensions: [("type", item.metadata.type), ("kind", "transient")]).increment()
        }
    }

    /// Returns how many items were duplicates (already in the inbox).
    private func handleInTransaction(_ items: [Item]) async throws -> Int {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(items.map { $0.metadata.id.uuidString.lowercased() })
            binds.append(items.map(\.metadata.type))
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO \(inbox) (message_id, type)
                        SELECT * FROM UNNEST($1::text[], $2::text[])
                        ON CONFLICT (message_id) DO NOTHING RETURNING message_id
                        """,
                    binds: binds),
                logger: logger)
            var fresh = Set<String>()
            for try await id in rows.decode(String.self) { fresh.insert(id) }
            // `remove` also skips a duplicate inside the same batch.
            let toHandle = items.filter { fresh.remove($0.metadata.id.uuidString.lowercased()) != nil }
            let duplicates = items.count - toHandle.count
            var index = 0
            while index < toHandle.count {
                let item = toHandle[index]
                switch item.entry {
                case .single(let handler):
                    var logger = self.logger
                    logger[metadataKey: "message.id"] = "\(item.metadata.id)"
                    logger[metadataKey: "message.type"] = "\(item.metadata.type)"
                    logger[metadataKey: "correlation.id"] = "\(item.metadata.correlationId)"
                    let context = MessageContext(
                        metadata: item.metadata, connection: connection, outbox: outbox, logger: logger)
                    try await handler(item.delivery.body, context)
                    index += 1
                case .batch(let handler):
                    // The run of consecutive messages of this type goes in one call.
                    var end = index + 1
                    while end < toHandle.count && toHandle[end].metadata.type == item.metadata.type { end += 1 }
                    var logger = self.logger
                    logger[metadataKey: "message.type"] = "\(item.metadata.type)"
                    logger[metadataKey: "message.count"] = "\(end - index)"
                    try await handler(
                        toHandle[index..<end].map(\.delivery.body),
                        MessageBatchContext(connection: connection, outbox: outbox, logger: logger))
                    index = end
                }
            }
            if items.contains(where: { $0.delivery.redelivered || $0.delivery.deliveryCount > 0 }) {
                var binds = PostgresBindings()
                binds.append(items.map { $0.metadata.id.uuidString.lowercased() })
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DELETE FROM \(attempts) WHERE message_id = ANY($1::text[])", binds: binds),
                    logger: logger)
            }
            return duplicates
        }
    }

    private func deadLetter(_ delivery: AMQPDelivery, type: String?, reason: String) async throws {
        logger.error(
            "message rejected to the dead-letter queue",
            metadata: ["message.id": "\(delivery.messageID ?? "?")", "message.type": "\(type ?? "?")",
                       "reason": "\(reason)"])
        Counter(label: "cyclades_messages_failed_total",
                dimensions: [("type", type ?? "unknown"), ("kind", "permanent")]).increment()
        try await amqp.reject(delivery, requeue: false)
    }

    private func record(_ items: [Item], duplicates: Int, elapsed: Duration) {
        var perType: [String: Int] = [:]
        for item in items { perType[item.metadata.type, default: 0] += 1 }
        for (type, count) in perType {
            Counter(label: "cyclades_messages_handled_total", dimensions: [("type", type)]).increment(by: count)
        }
        if duplicates > 0 {
            Counter(label: "cyclades_messages_duplicates_total").increment(by: duplicates)
        }
        Metrics.Timer(label: "cyclades_message_batch_seconds").record(duration: elapsed)
    }
}
