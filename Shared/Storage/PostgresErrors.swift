import Foundation
import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `query` in this connection (inside the caller's transaction).
    @discardableResult
    public func run(_ query: PostgresQuery, _ logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PSQLError {
    /// The server's SQLSTATE, when the server answered with an error.
    public var sqlState: String? { serverInfo?[.sqlState] }
}

extension Error {
    /// A unique or foreign-key violation (`23505`, `23503`).
    public var violationUnicite: Bool { (self as? PSQLError)?.sqlState == "23505" }
    public var violationReference: Bool { (self as? PSQLError)?.sqlState == "23503" }
}
