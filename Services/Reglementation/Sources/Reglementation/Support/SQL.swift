import Foundation
import PostgresNIO

/// Helpers for the repositories' SQL: bound parameters only, never values in the text.
enum SQL {
    /// Bindings for `values` in order; nil binds SQL NULL.
    static func binds(_ values: (any PostgresDynamicTypeEncodable & Sendable)?...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values {
            if let value { binds.append(value) } else { binds.appendNull() }
        }
        return binds
    }

    /// A query whose text only interpolates table names (`database.table(…)`).
    static func query(_ text: String, _ values: (any PostgresDynamicTypeEncodable & Sendable)?...) -> PostgresQuery {
        var binds = PostgresBindings()
        for value in values {
            if let value { binds.append(value) } else { binds.appendNull() }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }
}

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
