import AMQP
import Foundation
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage
import TestSupport

/// Another service's consumer, as a test stands one up: its own scratch schema with a table for
/// its copy, its own queue bound to the types it handles, and the Réglementation outbox relay
/// running beside it.
enum Consommateur {
    static func avecCopie(
        _ prefixe: String, table creation: String, banc: Banc,
        handlers: (_ table: String) -> MessageHandlers,
        _ body: (Database) async throws -> Void
    ) async throws {
        try await TestStack.withScratchSchema(prefixe) { copy in
            try await MigrationRunner(database: copy).apply(try MessagingMigrations.all())
            let table = copy.table(prefixe)
            try await copy.query(PostgresQuery(unsafeSQL: creation.replacingOccurrences(of: "%@", with: table)))
            let handlers = handlers(table)
            let queue = "test.\(copy.schema).events"
            let amqp = try TestStack.amqp("admin")
            // The queue exists before anything is published to it (as a deployed service's does).
            let setup = try await AMQPConnection.connect(amqp)
            try await setup.declare(MessageConsumer.topology(queue: queue, handlers: handlers))
            await setup.close()
            let consumer = MessageConsumer(
                database: copy,
                amqp: AMQPConsumer(configuration: amqp, topology: MessageConsumer.topology(queue: queue, handlers: handlers), queue: queue),
                handlers: handlers, outbox: OutboxWriter(database: copy, producer: "test"), logger: copy.logger)
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: banc.runtime.relay), .init(service: consumer)], logger: copy.logger))
            do {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    do {
                        try await body(copy)
                    } catch {
                        await group.triggerGracefulShutdown()
                        try? await tasks.waitForAll()
                        throw error
                    }
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            } catch {
                await supprimer(queue, amqp)
                throw error
            }
            await supprimer(queue, amqp)
        }
    }

    private static func supprimer(_ queue: String, _ amqp: AMQPConfiguration) async {
        if let connection = try? await AMQPConnection.connect(amqp) {
            try? await connection.deleteQueue(queue)
            try? await connection.deleteQueue("\(queue).dlq")
            await connection.close()
        }
    }
}
