import Foundation
import PostgresNIO
import Storage
import TestSupport
import Testing

/// Helpers shared by the Storage tests.
enum StorageFixtures {
    /// A new empty directory under the system temporary directory, removed after `body`.
    static func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cyclades-storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// Writes `files` (name → SQL) into a fresh directory and loads them as migrations of `source`.
    static func migrations(source: String = "test", _ files: [String: String]) async throws -> [Migration] {
        try await withTemporaryDirectory { directory in
            try write(files, into: directory)
            return try Migration.load(source: source, directory: directory)
        }
    }

    static func write(_ files: [String: String], into directory: URL) throws {
        for (name, contents) in files {
            try contents.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    /// The `(source, version, name)` rows of a schema's migration ledger, in order.
    static func ledger(of database: Database) async throws -> [String] {
        let rows = try await database.query(PostgresQuery(unsafeSQL: """
            SELECT source, version, name FROM \(database.table("schema_migrations")) ORDER BY source, version
            """))
        var entries: [String] = []
        for try await (source, version, name) in rows.decode((String, Int, String).self) {
            entries.append("\(source) \(version) \(name)")
        }
        return entries
    }

    /// Whether `schema.table` exists.
    static func tableExists(_ table: String, in database: Database) async throws -> Bool {
        let rows = try await database.query("SELECT to_regclass(\(database.table(table))) IS NOT NULL")
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Runs `body` with a running client of a service role (`env/<role>.env`).
    static func withServiceDatabase<T: Sendable>(
        _ role: String, _ body: (Database) async throws -> T
    ) async throws -> T {
        let database = Database(configuration: try TestStack.database(role), logger: TestStack.logger("test.\(role)"))
        return try await TestStack.withRunningClient(database.client) { try await body(database) }
    }
}

extension PSQLError {
    /// The server's SQLSTATE (`42501`, `23505`…), when the server answered with an error.
    var sqlState: String? { serverInfo?[.sqlState] }
}

