import Foundation

/// A header value carried in the AMQP properties table.
public enum AMQPHeaderValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int64? { if case .int(let i) = self { i } else { nil } }
}

/// A message to publish. Always persistent (delivery mode 2).
public struct AMQPOutgoingMessage: Sendable, Hashable {
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var messageID: String
    public var type: String?
    public var contentType: String
    public var correlationID: String?
    public var replyTo: String?
    /// Seconds since 1970, as AMQP's timestamp property.
    public var timestamp: Int64
    public var headers: [String: AMQPHeaderValue]
    /// Ask the broker to return the message when no queue is bound for it.
    public var mandatory: Bool
    /// The AMQP `user_id` property. nil: the publishing connection's user, which the broker
    /// validates. Another user only for a broker user tagged `impersonator` (the operator
    /// replaying dead letters keeps the original producer's).
    public var userID: String?

    public init(
        exchange: String, routingKey: String, body: [UInt8], messageID: String,
        type: String? = nil, contentType: String = "application/json",
        correlationID: String? = nil, replyTo: String? = nil,
        timestamp: Int64 = Int64(Date().timeIntervalSince1970),
        headers: [String: AMQPHeaderValue] = [:], mandatory: Bool = false, userID: String? = nil
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.messageID = messageID
        self.type = type
        self.contentType = contentType
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.timestamp = timestamp
        self.headers = headers
        self.mandatory = mandatory
        self.userID = userID
    }
}

/// A message received from a queue. `deliveryTag` is only meaningful on the connection
/// (`generation`) that received it: after a reconnect the broker redelivers unacked messages.
public struct AMQPDelivery: Sendable {
    public var deliveryTag: UInt64
    public var generation: Int
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var messageID: String?
    public var type: String?
    public var contentType: String?
    public var correlationID: String?
    public var replyTo: String?
    public var timestamp: Int64?
    public var headers: [String: AMQPHeaderValue]
    /// The broker user that published it (`user_id`, validated by the broker on publish).
    public var userID: String?

    /// How many times a quorum queue already delivered this message (`x-delivery-count`).
    public var deliveryCount: Int { Int(headers["x-delivery-count"]?.intValue ?? 0) }

    public init(
        deliveryTag: UInt64, generation: Int, redelivered: Bool = false, exchange: String = "",
        routingKey: String = "", body: [UInt8], messageID: String? = nil, type: String? = nil,
        contentType: String? = nil, correlationID: String? = nil, replyTo: String? = nil,
        timestamp: Int64? = nil, headers: [String: AMQPHeaderValue] = [:], userID: String? = nil
    ) {
        self.deliveryTag = deliveryTag
        self.generation = generation
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.messageID = messageID
        self.type = type
        self.contentType = contentType
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.timestamp = timestamp
        self.headers = headers
        self.userID = userID
    }
}

/// Exchanges, queues and bindings a client needs; declared again on every (re)connection.
/// Declarations are idempotent on the broker as long as their arguments do not change.
public struct AMQPTopology: Sendable, Hashable {
    public struct Exchange: Sendable, Hashable {
        public enum Kind: String, Sendable { case topic, direct, fanout, headers }
        public var name: String
        public var kind: Kind
        public init(_ name: String, kind: Kind) { self.name = name; self.kind = kind }
    }

    public struct Queue: Sendable, Hashable {
        public var name: String
        public var arguments: [String: AMQPHeaderValue]
        public init(_ name: String, arguments: [String: AMQPHeaderValue] = [:]) {
            self.name = name
            self.arguments = arguments
        }

        /// A durable quorum queue with a delivery limit, dead-lettering into `deadLetterExchange`
        /// with `deadLetterRoutingKey`.
        public static func quorum(
            _ name: String, deliveryLimit: Int? = nil, deadLetterExchange: String? = nil,
            deadLetterRoutingKey: String? = nil, extra: [String: AMQPHeaderValue] = [:]
        ) -> Queue {
            var arguments: [String: AMQPHeaderValue] = ["x-queue-type": .string("quorum")]
            if let deliveryLimit { arguments["x-delivery-limit"] = .int(Int64(deliveryLimit)) }
            if let deadLetterExchange {
                arguments["x-dead-letter-exchange"] = .string(deadLetterExchange)
            }
            if let deadLetterRoutingKey {
                arguments["x-dead-letter-routing-key"] = .string(deadLetterRoutingKey)
            }
            arguments.merge(extra) { _, new in new }
            return Queue(name, arguments: arguments)
        }
    }

    public struct Binding: Sendable, Hashable {
        public var queue: String
        public var exchange: String
        public var routingKey: String
        public init(queue: String, exchange: String, routingKey: String) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
        }
    }

    /// Exchanges to declare. Leave empty when the broker's definitions create them and the user
    /// has no configure permission on them (declaring an existing exchange needs it).
    public var exchanges: [Exchange]
    public var queues: [Queue]
    public var bindings: [Binding]

    public init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }

    public static func + (lhs: AMQPTopology, rhs: AMQPTopology) -> AMQPTopology {
        AMQPTopology(
            exchanges: lhs.exchanges + rhs.exchanges, queues: lhs.queues + rhs.queues,
            bindings: lhs.bindings + rhs.bindings)
    }
}
