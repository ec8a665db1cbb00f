import AMQP
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage
import TestSupport

// A real process that runs the messaging kit for the crash tests and the load benchmark:
//   CYCLADES_PROBE_ROLE=consume  consumes CYCLADES_PROBE_QUEUE (bound to CYCLADES_PROBE_EXCHANGE)
//                                and records one row per ProbeEvent in <schema>.effects;
//   CYCLADES_PROBE_ROLE=consume-batch  the same through a batch handler (a work queue's shape);
//   CYCLADES_PROBE_ROLE=relay    relays <schema>.outbox.
// Database and broker settings come from CYCLADES_PG_* and CYCLADES_AMQP_URL.

let environment = ProcessInfo.processInfo.environment
LoggingSystem.bootstrap(StreamLogHandler.standardError)
var logger = Logger(label: "cyclades.probe")
logger.logLevel = environment["CYCLADES_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

let database = Database(configuration: try DatabaseConfiguration(environment: environment), logger: logger)
let amqp = try AMQPConfiguration(url: environment["CYCLADES_AMQP_URL"] ?? "", connectionName: "probe")
let exchange = environment["CYCLADES_PROBE_EXCHANGE"] ?? Topology.events
let queue = environment["CYCLADES_PROBE_QUEUE"] ?? "probe.events"
let handlers = environment["CYCLADES_PROBE_ROLE"] == "consume-batch"
    ? ProbeEvent.batchHandlers(database: database) : ProbeEvent.handlers(database: database)

let service: any Service
switch environment["CYCLADES_PROBE_ROLE"] {
case "relay":
    service = OutboxRelay(
        database: database,
        publisher: AMQPPublisher(configuration: amqp, window: 500, logger: logger),
        logger: logger)
default:
    let topology = Topology.consumerQueue(queue, exchange: exchange, routingKeys: handlers.types)
    service = MessageConsumer(
        database: database,
        amqp: AMQPConsumer(configuration: amqp, topology: topology, queue: queue, prefetch: 300, logger: logger),
        handlers: handlers,
        outbox: OutboxWriter(database: database, producer: "probe"),
        logger: logger)
}

let group = ServiceGroup(
    configuration: .init(
        services: [.init(service: database.client), .init(service: service)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
try await group.run()
