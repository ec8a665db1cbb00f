import AMQP
import Foundation
import Logging
import Messaging
import PostgresNIO
import Storage

/// The PostgreSQL and RabbitMQ that `deploy/local/test` started, as described by the env files
/// of its stack directory (`$CYCLADES_STACK_DIR/env/<name>.env`).
public enum TestStack {
    public static var stackDirectory: String {
        ProcessInfo.processInfo.environment["CYCLADES_STACK_DIR"] ?? "/var/tmp/cyclades-test"
    }

    public static var repositoryDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["CYCLADES_REPO_DIR"] {
            return URL(fileURLWithPath: path)
        }
        // Tests/Support/TestStack.swift → repository root
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `KEY=VALUE` lines of `env/<name>.env` (`admin`, `resultats`, or a service name).
    public static func environment(_ name: String) throws -> [String: String] {
        let path = "\(stackDirectory)/env/\(name).env"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TestStackError("no \(path): start the test stack with deploy/local/test")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }

    public static func amqp(_ name: String = "admin", connectionName: String = "test") throws -> AMQPConfiguration {
        guard let url = try environment(name)["CYCLADES_AMQP_URL"] else {
            throw TestStackError("no CYCLADES_AMQP_URL for \(name)")
        }
        var configuration = try AMQPConfiguration(url: url, connectionName: connectionName)
        configuration.heartbeatSeconds = 10
        return configuration
    }

    public static func database(_ name: String = "admin", schema: String? = nil) throws -> DatabaseConfiguration {
        var configuration = try DatabaseConfiguration(environment: environment(name))
        if let schema { configuration.schema = schema }
        return configuration
    }

    /// A fresh name for things a test creates (schemas, queues, exchanges).
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    }

    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["CYCLADES_TEST_LOG_LEVEL"]
            .flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// Runs `body` with a running client of the admin role on a new, empty schema that is dropped
    /// afterwards.
    public static func withScratchSchema<T: Sendable>(
        _ prefix: String = "test", _ body: (Database) async throws -> T
    ) async throws -> T {
        let schema = uniqueName(prefix)
        let database = Database(configuration: try self.database(schema: schema), logger: logger("test.db"))
        return try await withRunningClient(database.client) {
            try await database.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \"\(schema)\""))
            do {
                let result = try await body(database)
                try await database.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \"\(schema)\" CASCADE"))
                return result
            } catch {
                _ = try? await database.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \"\(schema)\" CASCADE"))
                throw error
            }
        }
    }

    /// Runs `body` while `client.run()` runs beside it.
    public static func withRunningClient<T: Sendable>(
        _ client: PostgresClient, _ body: () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Runs `deploy/local/stack ARGS` against the test stack (e.g. `rabbitmq stop`), on a thread
    /// of its own so that the cooperative pool (two threads on these machines) never waits on it.
    /// posix_spawn and waitpid rather than Foundation's `Process`, whose exit detection on Linux
    /// depends on descriptors the child's own children could inherit.
    public static func stack(_ arguments: String...) async throws {
        let status = await stackStatus(arguments, directory: stackDirectory)
        guard status == 0 else {
            throw TestStackError("deploy/local/stack \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
    }

    /// Runs `deploy/local/stack ARGS` with the test stack's name and ports in `directory`;
    /// returns the wait status (0: exited with 0).
    public static func stackStatus(_ arguments: [String], directory: String) async -> Int32 {
        let argv = [repositoryDirectory.appendingPathComponent("deploy/local/stack").path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CYCLADES_STACK_NAME"] = environment["CYCLADES_STACK_NAME"] ?? "test"
        environment["CYCLADES_STACK_DIR"] = directory
        let envp = environment.map { "\($0)=\($1)" }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            Thread { continuation.resume(returning: spawnAndWait(argv, envp)) }.start()
        }
    }

    /// posix_spawn then waitpid; returns the wait status (0: exited with 0), or -1.
    private static func spawnAndWait(_ argv: [String], _ envp: [String]) -> Int32 {
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvp = envp.map { strdup($0) } + [nil]
        defer { (cArgv + cEnvp).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], nil, nil, cArgv, cEnvp) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        return status
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    public static func eventually(
        timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(200),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: interval)
        }
        return try await condition()
    }

    /// The directory of the built executables (the probe, the services).
    public static var binDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["CYCLADES_BIN_DIR"] {
            return URL(fileURLWithPath: path)
        }
        return repositoryDirectory.appendingPathComponent(".build/debug")
    }
}

public struct TestStackError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Database {
    /// `SELECT count(*)` of a table of this schema.
    public func count(_ table: String, where condition: String = "TRUE") async throws -> Int {
        let rows = try await query(PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(self.table(table)) WHERE \(condition)"))
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
