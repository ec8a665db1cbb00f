import AMQP

/// The broker's layout (ARCHITECTURE.md, "Messaging rules").
public enum Topology {
    /// Domain events, routing key = message type.
    public static let events = "cyclades.events"
    /// Work queues such as `evaluation.saisie`, routing key = queue name.
    public static let commands = "cyclades.commands"
    /// Dead letters, routing key = `<queue>.dlq`.
    public static let dead = "cyclades.dead"
    /// Results for outside subscribers.
    public static let resultats = "cyclades.resultats"

    /// Declared by the broker's definitions; tests that run with the admin user declare them.
    public static let exchanges: [AMQPTopology.Exchange] = [
        .init(events, kind: .topic), .init(commands, kind: .direct),
        .init(dead, kind: .direct), .init(resultats, kind: .topic),
    ]

    /// Deliveries before the broker dead-letters a message that keeps coming back. The consumer
    /// recognises a message that crashes it after `MessageConsumer`'s attempts (3); this limit is
    /// the broker's safety net above it, high enough that the innocent messages in flight with
    /// the culprit are not caught by it.
    public static let defaultDeliveryLimit = 10

    /// A consuming queue with its dead-letter queue: `<queue>` bound to `exchange` for each
    /// routing key, and `<queue>.dlq` bound to `cyclades.dead`.
    public static func consumerQueue(
        _ queue: String, exchange: String = events, routingKeys: [String],
        deliveryLimit: Int = defaultDeliveryLimit
    ) -> AMQPTopology {
        let deadLetterQueue = "\(queue).dlq"
        return AMQPTopology(
            queues: [
                .quorum(
                    queue, deliveryLimit: deliveryLimit, deadLetterExchange: dead,
                    deadLetterRoutingKey: deadLetterQueue),
                .quorum(deadLetterQueue),
            ],
            bindings: routingKeys.map { AMQPTopology.Binding(queue: queue, exchange: exchange, routingKey: $0) }
                + [AMQPTopology.Binding(queue: deadLetterQueue, exchange: dead, routingKey: deadLetterQueue)])
    }

    /// A work queue: `<queue>` bound on `cyclades.commands` with its own name as routing key, and
    /// its dead-letter queue. Whoever sends commands declares it too, so that none is unroutable
    /// before the first worker starts.
    public static func workQueue(_ queue: String) -> AMQPTopology {
        consumerQueue(queue, exchange: commands, routingKeys: [queue])
    }

    /// `<service>.events`: the one queue through which a service receives domain events.
    public static func eventsQueue(of service: String) -> String { "\(service).events" }
}
