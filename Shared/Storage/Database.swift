import Logging
import PostgresNIO

/// A service's database: its connection pool and the schema it owns.
/// `client.run()` must be running (the service bootstrap runs it as a `Service`).
public struct Database: Sendable {
    public let client: PostgresClient
    public let schema: String
    public let logger: Logger
    /// How long a statement run by `query` (or a transaction's `BEGIN`) may wait for PostgreSQL
    /// before failing with the transient `DatabaseTimeout` (see `Deadline`).
    public let queryTimeout: Duration

    public init(client: PostgresClient, schema: String, logger: Logger, queryTimeout: Duration = .seconds(120)) {
        precondition(Self.isIdentifier(schema), "schema names are plain identifiers")
        self.client = client
        self.schema = schema
        self.logger = logger
        self.queryTimeout = queryTimeout
    }

    public init(configuration: DatabaseConfiguration, logger: Logger, queryTimeout: Duration = .seconds(120)) {
        self.init(
            client: PostgresClient(
                configuration: configuration.clientConfiguration, backgroundLogger: logger),
            schema: configuration.schema, logger: logger, queryTimeout: queryTimeout)
    }

    /// `schema.name`, quoted for SQL. Table names cannot be bound parameters; schema names are
    /// checked identifiers, so this is the only place SQL text is built from a value.
    public func table(_ name: String) -> String {
        precondition(Self.isIdentifier(name))
        return "\"\(schema)\".\"\(name)\""
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// The body's own error is rethrown as is (not wrapped), so callers can match on it.
    public func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            // The first write on a freshly leased connection is where a closed one hangs.
            try await Deadline.run(queryTimeout, "BEGIN") { [logger] in
                _ = try await connection.query("BEGIN", logger: logger)
            }
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                do {
                    try await connection.query("ROLLBACK", logger: logger)
                } catch {
                    logger.warning("rollback failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await Deadline.run(queryTimeout, "query") { [client, logger] in
            try await client.query(query, logger: logger)
        }
    }

    /// True when the database answers within 5 seconds.
    public func ping() async -> Bool {
        do {
            try await Deadline.run(.seconds(5), "ping") { [client, logger] in
                _ = try await client.query("SELECT 1", logger: logger)
            }
            return true
        } catch {
            return false
        }
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0)
        } && name.count <= 63
    }
}

extension Error {
    /// Whether retrying later may succeed: the connection failed, the server is shutting down or
    /// overloaded, or the transaction lost a serialization race.
    public var isTransientDatabaseFailure: Bool {
        if self is DatabaseTimeout { return true }
        guard let error = self as? PSQLError else {
            // The pool's own errors (a connection request timing out while the server is down).
            // `as Any`: on an `any Error`, `type(of: self)` is the static `Error`, not the error's type.
            return String(describing: type(of: self as Any)).contains("ConnectionPool")
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P")
                || state == "40001" || state == "40P01"
        case .connectionError, .serverClosedConnection, .clientClosedConnection,
            .uncleanShutdown, .queryCancelled:
            return true
        default:
            return false
        }
    }
}
