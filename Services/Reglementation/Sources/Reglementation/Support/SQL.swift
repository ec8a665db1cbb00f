import Foundation
import PostgresNIO
import Storage

extension PostgresConnection {
    /// Runs `query` in this connection (inside the caller's transaction).
    @discardableResult
    func run(_ query: PostgresQuery, _ logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PSQLError {
    /// The server's SQLSTATE, when the server answered with an error.
    var sqlState: String? { serverInfo?[.sqlState] }
}

extension Error {
    /// A unique or foreign-key violation (`23505`, `23503`).
    var violationUnicite: Bool { (self as? PSQLError)?.sqlState == "23505" }
    var violationReference: Bool { (self as? PSQLError)?.sqlState == "23503" }
}
