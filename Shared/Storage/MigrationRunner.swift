import Crypto
import Foundation
import Logging
import PostgresNIO

/// One numbered SQL file of a service's schema (`NNNN_what_it_does.sql`).
public struct Migration: Sendable, Hashable {
    /// Who ships it: the kit (`messaging`) or the service itself.
    public var source: String
    public var version: Int
    public var name: String
    public var sql: String

    public init(source: String, version: Int, name: String, sql: String) {
        self.source = source
        self.version = version
        self.name = name
        self.sql = sql
    }

    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Every `NNNN_*.sql` file of a folder, in order. Refuses duplicates and badly named files.
    public static func load(source: String, directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for file in files {
            let stem = String(file.dropLast(4))
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 4, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
                let version = Int(parts[0])
            else {
                throw MigrationError.badFileName(file)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(source: source, version: version, name: String(parts[1]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(source: source, version: next.version)
        }
        return migrations
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion(source: String, version: Int)
    case edited(source: String, version: Int, name: String)
    case failed(source: String, version: Int, name: String, underlying: String)

    public var description: String {
        switch self {
        case .badFileName(let file): "migration file \(file) is not named NNNN_name.sql"
        case .duplicateVersion(let source, let version): "two \(source) migrations numbered \(version)"
        case .edited(let source, let version, let name):
            "migration \(source) \(version) \(name) was edited after being applied; write a new migration instead"
        case .failed(let source, let version, let name, let underlying):
            "migration \(source) \(version) \(name) failed: \(underlying)"
        }
    }
}

/// Applies migrations to a service's schema, each once, in order, under an advisory lock so that
/// several instances starting together do not race. A migration already applied whose file has
/// changed stops the start: the schema must never silently diverge from the files.
public struct MigrationRunner: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Returns the migrations it applied (empty when the schema was up to date).
    @discardableResult
    public func apply(_ migrations: [Migration]) async throws -> [Migration] {
        let ledger = database.table("schema_migrations")
        let lockKey = "cyclades.migrations.\(database.schema)"
        let logger = database.logger
        return try await database.client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(lockKey)))", logger: logger)
            do {
                let applied = try await Self.applyLocked(migrations, schema: database.schema, ledger: ledger, connection: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                throw error
            }
        }
    }

    private static func applyLocked(
        _ migrations: [Migration], schema: String, ledger: String, connection: PostgresConnection,
        logger: Logger
    ) async throws -> [Migration] {
        try await connection.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS \(ledger) (
                source text NOT NULL,
                version integer NOT NULL,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (source, version)
            )
            """), logger: logger)
        var known: [String: String] = [:]
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT source, version, checksum FROM \(ledger)"), logger: logger)
        for try await (source, version, checksum) in rows.decode((String, Int, String).self) {
            known["\(source)/\(version)"] = checksum
        }
        var applied: [Migration] = []
        for migration in migrations {
            if let checksum = known["\(migration.source)/\(migration.version)"] {
                guard checksum == migration.checksum else {
                    throw MigrationError.edited(
                        source: migration.source, version: migration.version, name: migration.name)
                }
                continue
            }
            do {
                // The file and its ledger row are one transaction; files name tables unqualified.
                try await connection.query("BEGIN", logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \"\(schema)\""), logger: logger)
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(ledger) (source, version, name, checksum) VALUES ($1, $2, $3, $4)",
                                  binds: try Self.binds(migration)),
                    logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw MigrationError.failed(
                    source: migration.source, version: migration.version, name: migration.name,
                    underlying: String(reflecting: error))
            }
            logger.info(
                "migration applied",
                metadata: ["migration.source": "\(migration.source)", "migration.version": "\(migration.version)",
                           "migration.name": "\(migration.name)"])
            applied.append(migration)
        }
        return applied
    }

    private static func binds(_ migration: Migration) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(migration.source)
        binds.append(migration.version)
        binds.append(migration.name)
        binds.append(migration.checksum)
        return binds
    }
}
