import AMQP
import Foundation

/// The operator's view of a dead-letter queue: list, inspect, replay into the live queue.
public struct DeadLetterAdmin: Sendable {
    public struct DeadLetter: Sendable {
        public var messageID: String?
        public var type: String?
        public var reason: String?
        public var body: String
    }

    public let configuration: AMQPConfiguration
    /// The live queue, e.g. `reglementation.events`; its dead letters are in `<queue>.dlq`.
    public let queue: String
    public var deadLetterQueue: String { "\(queue).dlq" }

    public init(configuration: AMQPConfiguration, queue: String) {
        self.configuration = configuration
        self.queue = queue
    }

    public func count() async throws -> Int {
        let connection = try await AMQPConnection.connect(configuration)
        let count = try await connection.messageCount(queue: deadLetterQueue)
        await connection.close()
        return count
    }

    /// Reads up to `limit` dead letters without removing them (they are requeued when the
    /// connection closes).
    public func list(limit: Int = 100) async throws -> [DeadLetter] {
        let connection = try await AMQPConnection.connect(configuration)
        var letters: [DeadLetter] = []
        while letters.count < limit, let delivery = try await connection.get(queue: deadLetterQueue) {
            letters.append(Self.letter(delivery))
        }
        await connection.close()
        return letters
    }

    /// Sends dead letters back to the live queue: the one with `messageID`, or all when nil.
    /// Each is removed from the dead-letter queue only after the broker confirmed the copy.
    /// Returns how many were replayed.
    @discardableResult
    public func replay(messageID: String? = nil) async throws -> Int {
        let connection = try await AMQPConnection.connect(configuration)
        let waiting = try await connection.messageCount(queue: deadLetterQueue)
        var replayed = 0
        for _ in 0..<waiting {
            guard let delivery = try await connection.get(queue: deadLetterQueue) else { break }
            guard messageID == nil || delivery.messageID == messageID else { continue }
            var headers = delivery.headers
            for key in headers.keys where key.hasPrefix("x-") { headers[key] = nil }
            let copy = AMQPOutgoingMessage(
                exchange: "", routingKey: queue, body: delivery.body,
                messageID: delivery.messageID ?? UUID().uuidString.lowercased(), type: delivery.type,
                contentType: delivery.contentType ?? "application/json",
                correlationID: delivery.correlationID, replyTo: delivery.replyTo,
                timestamp: delivery.timestamp ?? Int64(Date().timeIntervalSince1970),
                headers: headers, mandatory: true, userID: delivery.userID)
            try await connection.publish([copy], window: 1)
            try await connection.ack(delivery.deliveryTag)
            replayed += 1
        }
        await connection.close()  // what was read and not replayed goes back to the queue
        return replayed
    }

    private static func letter(_ delivery: AMQPDelivery) -> DeadLetter {
        let reason = [delivery.headers["x-first-death-reason"]?.stringValue,
                      delivery.headers["x-first-death-queue"]?.stringValue.map { "from \($0)" }]
            .compactMap { $0 }.joined(separator: " ")
        return DeadLetter(
            messageID: delivery.messageID, type: delivery.type,
            reason: reason.isEmpty ? nil : reason,
            body: String(decoding: delivery.body, as: UTF8.self))
    }
}
