import Logging

/// A publisher that survives broker restarts: publishes batches with pipelined confirms and,
/// when the connection drops, reconnects with backoff, re-declares its topology and sends again
/// exactly the messages that were not confirmed (consumers absorb the rare duplicate).
public actor AMQPPublisher {
    public nonisolated let configuration: AMQPConfiguration
    public nonisolated let topology: AMQPTopology
    /// Unconfirmed messages allowed in flight.
    public nonisolated let window: Int
    private let logger: Logger
    private var connection: AMQPConnection?

    public init(
        configuration: AMQPConfiguration, topology: AMQPTopology = AMQPTopology(),
        window: Int = 500, logger: Logger = Logger(label: "cyclades.amqp.publisher")
    ) {
        self.configuration = configuration
        self.topology = topology
        self.window = window
        self.logger = logger
    }

    /// Publishes every message and returns when the broker confirmed them all. Retries through
    /// connection losses until the task is cancelled. Throws `AMQPError.publishRejected` (indexes
    /// into `messages`) when the broker nacks or returns some: those are not retried. Errors that a
    /// new connection would not cure (`closedByBroker` 404, 403...) are thrown too.
    public func publish(_ messages: [AMQPOutgoingMessage]) async throws {
        var pending = Array(messages.indices)
        var backoff = Backoff()
        while !pending.isEmpty {
            try Task.checkCancellation()
            do {
                let connection = try await connected()
                try await connection.publishConfirmed(pending.map { messages[$0] }, window: window)
                return
            } catch let interrupted as PublishInterrupted {
                // A channel error (e.g. 404 no such exchange) would come back on every attempt.
                guard interrupted.cause.isTransient else {
                    connection = nil
                    throw interrupted.cause
                }
                pending = zip(pending, interrupted.confirmed).filter { !$0.1 }.map(\.0)
                logger.warning(
                    "publish interrupted, will resend unconfirmed",
                    metadata: ["unconfirmed": "\(pending.count)", "error": "\(interrupted.cause)"])
                connection = nil
            } catch AMQPError.publishRejected(let nacked, let returned) {
                throw AMQPError.publishRejected(
                    nacked: nacked.map { pending[$0] }, returned: returned.map { pending[$0] })
            } catch let error as AMQPError where error.isTransient {
                logger.warning("AMQP connection unavailable", metadata: ["error": "\(error)"])
                connection = nil
            }
            try await backoff.sleep()
        }
    }

    /// Publishes one message (see `publish(_:)`).
    public func publish(_ message: AMQPOutgoingMessage) async throws {
        try await publish([message])
    }

    public func close() async {
        await connection?.close()
        connection = nil
    }

    private func connected() async throws(AMQPError) -> AMQPConnection {
        if let connection, await connection.isOpen { return connection }
        let fresh = try await AMQPConnection.connect(configuration, logger: logger)
        do {
            try await fresh.declare(topology)
        } catch {
            await fresh.close()
            throw error
        }
        logger.info("AMQP publisher connected", metadata: ["broker": "\(configuration.redacted)"])
        connection = fresh
        return fresh
    }
}
