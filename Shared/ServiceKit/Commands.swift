import AMQP
import ArgumentParser
import Foundation
import Messaging
import Storage

/// `cyclades-<name> serve`: runs the service (the default subcommand).
public struct ServeCommand<S: CycladesService>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "serve", abstract: "Run the \(S.name) service until SIGTERM.")
    }

    public init() {}

    public func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: S.name)
        Observability.bootstrap(level: configuration.logLevel)
        let runtime = await ServiceRuntime(configuration: configuration)
        try await runtime.run(S.self)
    }
}

/// `cyclades-<name> migrate`: applies pending migrations and exits.
public struct MigrateCommand<S: CycladesService>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "migrate", abstract: "Apply the pending migrations of the \(S.name) schema.")
    }

    public init() {}

    public func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: S.name)
        Observability.bootstrap(level: configuration.logLevel)
        let database = Database(configuration: configuration.database, logger: .init(label: "cyclades.\(S.name).migrate"))
        let applied = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            return try await MigrationRunner(database: database).apply(ServiceRuntime.allMigrations(S.self))
        }
        for migration in applied { print("applied \(migration.source) \(migration.version) \(migration.name)") }
        print("\(S.name): \(applied.count) migration(s) applied")
    }
}

/// `cyclades-<name> dlq list|show|replay [--queue QUEUE]`: the dead letters of one of the
/// service's queues (its events by default; a work queue such as `evaluation.saisie`).
public struct DeadLetterCommand<S: CycladesService>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "dlq",
            abstract: "Inspect and replay the dead letters of \(Topology.eventsQueue(of: S.name)) or another queue of \(S.name).")
    }

    public init() {}

    @Argument(help: "list, show or replay")
    var action: Action

    @Option(help: "The queue whose dead letters to handle (default: \(Topology.eventsQueue(of: S.name))).")
    var queue: String?

    @Option(help: "The message id (show: required; replay: only this one, else all).")
    var id: String?

    @Option(help: "At most this many messages listed.")
    var limit: Int = 100

    enum Action: String, ExpressibleByArgument { case list, show, replay }

    public func validate() throws {
        if let queue, !queue.hasPrefix("\(S.name).") || queue.hasSuffix(".dlq") {
            throw ValidationError("--queue names a live queue of \(S.name) (\(S.name).…), not its .dlq")
        }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    public func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: S.name)
        let admin = DeadLetterAdmin(configuration: configuration.amqp, queue: queue ?? Topology.eventsQueue(of: S.name))
        switch action {
        case .list:
            let letters = try await admin.list(limit: limit)
            print("\(letters.count) dead letter(s) in \(admin.deadLetterQueue)")
            for letter in letters {
                print("\(letter.messageID ?? "-")\t\(letter.type ?? "-")\t\(letter.reason ?? "")")
            }
        case .show:
            guard let id else { throw ValidationError("--id is required with show") }
            guard let letter = try await admin.list(limit: .max).first(where: { $0.messageID == id }) else {
                throw ValidationError("no dead letter with id \(id)")
            }
            print(letter.body)
        case .replay:
            let count = try await admin.replay(messageID: id)
            print("\(count) message(s) replayed into \(admin.queue)")
        }
    }
}
