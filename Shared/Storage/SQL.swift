import PostgresNIO

/// Helpers for repositories' SQL: values are always bound parameters, never text. Only table
/// names (`Database.table`, checked identifiers) are interpolated into a query's text.
public enum SQL {
    /// Bindings for `values` in order; nil binds SQL NULL.
    public static func binds(_ values: (any PostgresDynamicTypeEncodable & Sendable)?...) -> PostgresBindings {
        bindings(values)
    }

    /// A query whose text only interpolates table names, with `values` bound as $1, $2, ...
    public static func query(_ text: String, _ values: (any PostgresDynamicTypeEncodable & Sendable)?...) -> PostgresQuery {
        PostgresQuery(unsafeSQL: text, binds: bindings(values))
    }

    private static func bindings(_ values: [(any PostgresDynamicTypeEncodable & Sendable)?]) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values {
            if let value { binds.append(value) } else { binds.appendNull() }
        }
        return binds
    }
}
