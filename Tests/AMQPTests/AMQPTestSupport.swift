import AMQP
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

/// Helpers shared by the AMQP integration tests. Every test declares its own exchanges and
/// queues under `TestStack.uniqueName` names, as the admin user of the test stack's vhost.
enum AMQPTest {
    static func configuration(_ connectionName: String = "amqp-tests") throws -> AMQPConfiguration {
        try TestStack.amqp("admin", connectionName: connectionName)
    }

    /// A publisher logging at the tests' level (warning unless CYCLADES_TEST_LOG_LEVEL says).
    static func publisher(_ topology: AMQPTopology = AMQPTopology(), window: Int = 200) throws -> AMQPPublisher {
        AMQPPublisher(
            configuration: try configuration(), topology: topology, window: window,
            logger: TestStack.logger("test.amqp.publisher"))
    }

    static func consumer(_ topology: AMQPTopology, queue: String, prefetch: Int) throws -> AMQPConsumer {
        AMQPConsumer(
            configuration: try configuration(), topology: topology, queue: queue,
            prefetch: prefetch, logger: TestStack.logger("test.amqp.consumer"))
    }

    /// Runs `body` on a plain (non-reconnecting) connection, closed afterwards.
    static func withConnection<T: Sendable>(
        _ body: (AMQPConnection) async throws -> T
    ) async throws -> T {
        let connection = try await AMQPConnection.connect(configuration("amqp-tests-admin"))
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    static func declare(_ topology: AMQPTopology) async throws {
        try await withConnection { try await $0.declare(topology) }
    }

    /// Ready messages of `queue` (unacked ones are not counted).
    static func messageCount(_ queue: String) async throws -> Int {
        try await withConnection { try await $0.messageCount(queue: queue) }
    }

    /// Takes one message off `queue` with `basic.get` and acks it; nil when the queue is empty.
    static func get(_ queue: String) async throws -> AMQPDelivery? {
        try await withConnection { connection in
            guard let delivery = try await connection.get(queue: queue) else { return nil }
            try await connection.ack(delivery.deliveryTag)
            return delivery
        }
    }

    /// Runs `body`, then deletes `queues` (best effort) whether it failed or not.
    static func deletingQueues<T: Sendable>(
        _ queues: String..., body: () async throws -> T
    ) async throws -> T {
        func delete() async {
            _ = try? await withConnection { connection in
                for queue in queues { try? await connection.deleteQueue(queue) }
            }
        }
        do {
            let result = try await body()
            await delete()
            return result
        } catch {
            await delete()
            throw error
        }
    }

    /// A topic exchange bound to one queue with the routing key `routingKey`.
    static func topology(
        exchange: String, queue: AMQPTopology.Queue, routingKey: String = "test.#"
    ) -> AMQPTopology {
        AMQPTopology(
            exchanges: [.init(exchange, kind: .topic)], queues: [queue],
            bindings: [.init(queue: queue.name, exchange: exchange, routingKey: routingKey)])
    }

    /// `count` simple messages with ids `<prefix>-<index>`.
    static func messages(
        _ count: Int, exchange: String, routingKey: String = "test.message",
        prefix: String = "m", from start: Int = 0
    ) -> [AMQPOutgoingMessage] {
        (start..<start + count).map { index in
            AMQPOutgoingMessage(
                exchange: exchange, routingKey: routingKey, body: Array("body \(index)".utf8),
                messageID: "\(prefix)-\(index)")
        }
    }

    /// Runs `body`, failing with `TimedOut` if it has not returned after `limit`.
    static func withTimeout<T: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw TimedOut(limit: limit)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "timed out after \(limit)" }
}

/// Keeps the messages logged through its loggers, to see what a client did (e.g. reconnect).
final class LogRecorder: Sendable {
    private let messages = Mutex<[String]>([])

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = .info
        return logger
    }

    /// How many messages containing `text` were logged.
    func count(_ text: String) -> Int {
        messages.withLock { $0.filter { $0.contains(text) }.count }
    }

    var all: [String] { messages.withLock { $0 } }

    fileprivate func record(_ message: String) {
        messages.withLock { $0.append(message) }
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let details = (event.metadata ?? [:]).map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            recorder.record("\(event.level) \(event.message) \(details)")
        }
    }
}
