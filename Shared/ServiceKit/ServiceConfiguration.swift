import AMQP
import Foundation
import Logging
import Storage

/// A service's settings, all from the environment (`CYCLADES_*`; see README "Configuration").
public struct ServiceConfiguration: Sendable {
    public var serviceName: String
    public var httpHost: String
    public var httpPort: Int
    public var database: DatabaseConfiguration
    public var amqp: AMQPConfiguration
    /// This service's own HMAC key for the internal token (the gateway holds a copy).
    public var internalTokenSecret: String
    public var logLevel: Logger.Level
    /// The whole environment it was read from, for a service's own settings.
    public var environment: [String: String]

    public init(serviceName: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.serviceName = serviceName
        self.environment = environment
        httpHost = environment["CYCLADES_HTTP_HOST"] ?? "127.0.0.1"
        guard let port = Int(environment["CYCLADES_HTTP_PORT"] ?? "8080") else {
            throw ConfigurationError.invalid("CYCLADES_HTTP_PORT", environment["CYCLADES_HTTP_PORT"] ?? "")
        }
        httpPort = port
        database = try DatabaseConfiguration(environment: environment)
        guard let url = environment["CYCLADES_AMQP_URL"] else { throw ConfigurationError.missing("CYCLADES_AMQP_URL") }
        amqp = try AMQPConfiguration(url: url, connectionName: serviceName)
        guard let secret = environment["CYCLADES_INTERNAL_TOKEN_SECRET"], secret.utf8.count >= 32 else {
            throw ConfigurationError.invalid("CYCLADES_INTERNAL_TOKEN_SECRET", "(absent or shorter than 32 bytes)")
        }
        internalTokenSecret = secret
        logLevel = environment["CYCLADES_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    }
}
