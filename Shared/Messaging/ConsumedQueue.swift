import AMQP
import Logging
import Storage

/// A queue a service consumes, with the handlers of its messages: its domain events
/// (`<service>.events`, one per service) or a work queue whose commands competing processes
/// share (`evaluation.saisie`). Either way the kit's `MessageConsumer` takes it: batches, inbox,
/// holding on a database outage, the culprit of a failed batch isolated, crashes counted.
public struct ConsumedQueue: Sendable {
    public var name: String
    public var topology: AMQPTopology
    public var handlers: MessageHandlers
    /// Unacknowledged messages the broker may send ahead (a batch is half of it).
    public var prefetch: Int
    /// How long a batch keeps filling after its last delivery: under load, many small batches
    /// become few large ones (each costs a transaction), at that much latency.
    public var linger: Duration

    public init(name: String, topology: AMQPTopology, handlers: MessageHandlers, prefetch: Int, linger: Duration) {
        self.name = name
        self.topology = topology
        self.handlers = handlers
        self.prefetch = prefetch
        self.linger = linger
    }

    /// `<service>.events`, bound on `cyclades.events` to every type the handlers know.
    public static func events(of service: String, _ handlers: MessageHandlers, prefetch: Int = 300) -> ConsumedQueue {
        let queue = Topology.eventsQueue(of: service)
        return ConsumedQueue(
            name: queue, topology: Topology.consumerQueue(queue, routingKeys: handlers.types),
            handlers: handlers, prefetch: prefetch, linger: .milliseconds(2))
    }

    /// A work queue bound on `cyclades.commands` with its own name as routing key.
    public static func work(
        _ queue: String, _ handlers: MessageHandlers, prefetch: Int = 500, linger: Duration = .milliseconds(10)
    ) -> ConsumedQueue {
        ConsumedQueue(
            name: queue, topology: Topology.workQueue(queue), handlers: handlers, prefetch: prefetch, linger: linger)
    }

    /// The consumer of this queue for a service's database, broker account and outbox.
    public func consumer(
        database: Database, amqp configuration: AMQPConfiguration, outbox: OutboxWriter, logger: Logger
    ) -> MessageConsumer {
        var configuration = configuration
        configuration.connectionName += "-\(name)"
        return MessageConsumer(
            database: database,
            amqp: AMQPConsumer(
                configuration: configuration, topology: topology, queue: name, prefetch: prefetch, logger: logger,
                linger: linger),
            handlers: handlers, outbox: outbox, logger: logger)
    }
}
