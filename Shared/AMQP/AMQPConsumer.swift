import Logging

/// A consumer that survives broker restarts: declares its topology, subscribes with a prefetch,
/// and hands out deliveries as an `AsyncSequence`. When the connection drops it reconnects with
/// backoff and subscribes again; the broker redelivers what was not acked, so acks of deliveries
/// from an older connection are ignored (their `generation` is stale).
public actor AMQPConsumer {
    public nonisolated let configuration: AMQPConfiguration
    public nonisolated let topology: AMQPTopology
    public nonisolated let queue: String
    public nonisolated let prefetch: Int
    private let logger: Logger
    private var connection: AMQPConnection?
    private var generation = 0
    private var cancelled = false
    private let consumerTag: String
    /// Largest batch handed out: half the prefetch, so that the broker still has credit to
    /// stream the next batch while the application handles (and acks) this one.
    public nonisolated let batchLimit: Int
    /// Acks of the current generation not sent yet: they go out in the same hop to the
    /// connection's thread as the next receive (or on stop/close).
    private var pendingAcks: [AMQPAck] = []
    /// How long to wait for the next delivery once a batch has started: a stream is handed out
    /// in full batches (one round trip to the connection's thread per batch instead of one per
    /// handful of deliveries), a lone message waits at most this long. rabbitmq-c polls in whole
    /// milliseconds, so anything below 2 ms acts as zero.
    public nonisolated let linger: Duration

    public init(
        configuration: AMQPConfiguration, topology: AMQPTopology, queue: String,
        prefetch: Int = 300, logger: Logger = Logger(label: "cyclades.amqp.consumer"),
        batchLimit: Int? = nil, linger: Duration = .milliseconds(2)
    ) {
        self.linger = linger
        self.batchLimit = batchLimit ?? max(1, prefetch / 2)
        self.configuration = configuration
        self.topology = topology
        self.queue = queue
        self.prefetch = prefetch
        self.logger = logger
        self.consumerTag = "\(configuration.connectionName)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The deliveries, in batches of what has arrived (at most `prefetch`), until `stop()` or
    /// cancellation. A batch is empty when nothing came within `idleTimeout`, so that the loop
    /// can look around (shutdown). Iterate it from one task.
    public nonisolated func batches(idleTimeout: Duration = .milliseconds(250)) -> Batches {
        Batches(consumer: self, idleTimeout: idleTimeout)
    }

    /// The deliveries one by one.
    public nonisolated func deliveries() -> Deliveries { Deliveries(batches: batches()) }

    /// Acknowledges `delivery` (and every earlier one when `multiple`). The ack is sent with the
    /// next batch request — the loop asks for one right after acking — or by `stop`, `close`,
    /// `nack`, `reject`, saving a round trip to the connection's thread per ack.
    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) async throws {
        guard current(for: delivery) != nil else { return }
        pendingAcks.append(AMQPAck(deliveryTag: delivery.deliveryTag, multiple: multiple))
    }

    private func flushAcks() async {
        guard !pendingAcks.isEmpty, let connection else { return }
        let acks = pendingAcks
        pendingAcks = []
        _ = try? await connection.receive(max: 0, timeout: .zero, generation: generation, acknowledging: acks)
    }

    /// Negative acknowledgement. When the connection is lost meanwhile, the broker redelivers the
    /// message on the next one: nothing to do here, and nothing to throw at the application.
    public func nack(_ delivery: AMQPDelivery, multiple: Bool = false, requeue: Bool) async throws {
        await flushAcks()  // keeps acks and nacks in the order the application made them
        guard let connection = current(for: delivery) else { return }
        do throws(AMQPError) {
            try await connection.nack(delivery.deliveryTag, multiple: multiple, requeue: requeue)
        } catch where error.isTransient {
            dropConnection(after: error)
        }
    }

    /// Dead-letters one delivery (when the queue has a dead-letter exchange). A lost connection
    /// is handled as in `nack`: the message comes back and will be judged again.
    public func reject(_ delivery: AMQPDelivery, requeue: Bool = false) async throws {
        await flushAcks()
        guard let connection = current(for: delivery) else { return }
        do throws(AMQPError) {
            try await connection.reject(delivery.deliveryTag, requeue: requeue)
        } catch where error.isTransient {
            dropConnection(after: error)
        }
    }

    /// Forgets a connection that broke; the next batch request reconnects.
    private func dropConnection(after error: AMQPError) {
        logger.warning(
            "AMQP consumer connection lost, its unacknowledged deliveries will come again",
            metadata: ["queue": "\(queue)", "error": "\(error)"])
        pendingAcks = []
        connection = nil
    }

    /// Stops intake: the broker sends nothing new; deliveries already received can still be
    /// acked. The sequence ends once it has handed out what was buffered.
    ///
    /// The cancel goes before the pending acks: an ack sent first frees a prefetch slot, and the
    /// delivery the broker sends into it can arrive after `basic.cancel-ok` — held unacked by a
    /// consumer that no longer hands anything out, until `close()`.
    public func stop() async {
        guard !cancelled else { return }
        cancelled = true
        if let connection { try? await connection.cancel(consumerTag: consumerTag) }
        await flushAcks()
    }

    public func close() async {
        await flushAcks()
        cancelled = true
        await connection?.close()
        connection = nil
    }

    private func current(for delivery: AMQPDelivery) -> AMQPConnection? {
        delivery.generation == generation ? connection : nil
    }

    /// Next batch (empty on idle timeout); `nil` when stopped. Reconnects as needed.
    fileprivate func nextBatch(idleTimeout: Duration) async throws -> [AMQPDelivery]? {
        var backoff = Backoff()
        while true {
            try Task.checkCancellation()
            // Stopped while disconnected: nothing in flight to finish.
            if cancelled && connection == nil { return nil }
            do throws(AMQPError) {
                let connection = try await subscribed()
                let acks = pendingAcks
                pendingAcks = []
                let batch = try await connection.receive(
                    max: batchLimit, timeout: cancelled ? .zero : idleTimeout, generation: generation,
                    acknowledging: acks, linger: linger)
                if batch.isEmpty && cancelled { return nil }
                return batch
            } catch {
                if cancelled { return nil }
                guard error.isTransient else { throw error }
                pendingAcks = []  // their deliveries come again on the next connection
                logger.warning(
                    "AMQP consumer disconnected, reconnecting",
                    metadata: ["queue": "\(queue)", "error": "\(error)"])
                connection = nil
                try await backoff.sleep()
            }
        }
    }

    private func subscribed() async throws(AMQPError) -> AMQPConnection {
        // A lost connection shows as an error of `receive` (which drops it): no hop to ask.
        if let connection { return connection }
        if cancelled { throw .notConnected }
        let fresh = try await AMQPConnection.connect(configuration, logger: logger)
        do {
            try await fresh.declare(topology)
            try await fresh.consume(queue: queue, prefetch: prefetch, consumerTag: consumerTag)
        } catch {
            await fresh.close()
            throw error
        }
        generation += 1
        connection = fresh
        logger.info(
            "AMQP consumer subscribed",
            metadata: ["queue": "\(queue)", "broker": "\(configuration.redacted)"])
        return fresh
    }

    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = [AMQPDelivery]
        let consumer: AMQPConsumer
        let idleTimeout: Duration

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: AMQPConsumer
            let idleTimeout: Duration
            public mutating func next() async throws -> [AMQPDelivery]? {
                try await consumer.nextBatch(idleTimeout: idleTimeout)
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(consumer: consumer, idleTimeout: idleTimeout)
        }
    }

    public struct Deliveries: AsyncSequence, Sendable {
        public typealias Element = AMQPDelivery
        let batches: Batches

        public struct AsyncIterator: AsyncIteratorProtocol {
            var batches: Batches.AsyncIterator
            var buffer: [AMQPDelivery] = []
            var index = 0
            public mutating func next() async throws -> AMQPDelivery? {
                while index == buffer.count {
                    guard let batch = try await batches.next() else { return nil }
                    buffer = batch
                    index = 0
                }
                defer { index += 1 }
                return buffer[index]
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(batches: batches.makeAsyncIterator())
        }
    }
}
