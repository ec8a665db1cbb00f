import Foundation
import PostgresNIO

/// How a service reaches its database: one login role, one schema (`CYCLADES_PG_*`).
public struct DatabaseConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: String
    public var user: String
    public var password: String
    /// The schema the service owns; every table it touches lives there.
    public var schema: String
    public var maximumConnections: Int

    public init(
        host: String = "127.0.0.1", port: Int = 5432, database: String = "cyclades", user: String,
        password: String, schema: String, maximumConnections: Int = 20
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
        self.schema = schema
        self.maximumConnections = maximumConnections
    }

    /// Reads `CYCLADES_PG_HOST`, `_PORT`, `_DATABASE`, `_USER`, `_PASSWORD`, `_SCHEMA`,
    /// `_MAX_CONNECTIONS`.
    public init(environment: [String: String]) throws(ConfigurationError) {
        func required(_ key: String) throws(ConfigurationError) -> String {
            guard let value = environment[key], !value.isEmpty else { throw .missing(key) }
            return value
        }
        let user = try required("CYCLADES_PG_USER")
        self.init(
            host: environment["CYCLADES_PG_HOST"] ?? "127.0.0.1",
            port: try Self.integer(environment, "CYCLADES_PG_PORT", default: 5432),
            database: environment["CYCLADES_PG_DATABASE"] ?? "cyclades",
            user: user,
            password: try required("CYCLADES_PG_PASSWORD"),
            schema: environment["CYCLADES_PG_SCHEMA"] ?? user,
            maximumConnections: try Self.integer(environment, "CYCLADES_PG_MAX_CONNECTIONS", default: 20))
    }

    private static func integer(
        _ environment: [String: String], _ key: String, default value: Int
    ) throws(ConfigurationError) -> Int {
        guard let text = environment[key] else { return value }
        guard let number = Int(text) else { throw .invalid(key, text) }
        return number
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}

/// A missing or malformed setting; the message names the variable.
public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .missing(let key): "missing setting \(key)"
        case .invalid(let key, let value): "invalid value for \(key): \(value)"
        }
    }
}
