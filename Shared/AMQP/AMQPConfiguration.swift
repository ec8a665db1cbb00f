import Foundation

/// Where and how to connect: parsed from an `amqp://user:password@host:port/vhost` URL.
public struct AMQPConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var vhost: String
    public var user: String
    public var password: String
    /// Heartbeat interval negotiated with the broker, in seconds (0 disables).
    public var heartbeatSeconds: Int
    public var frameMax: Int
    public var connectTimeoutSeconds: Int
    /// Shown in the broker's connection list.
    public var connectionName: String

    public init(
        host: String = "127.0.0.1", port: Int = 5672, vhost: String = "/", user: String,
        password: String, heartbeatSeconds: Int = 30, frameMax: Int = 131_072,
        connectTimeoutSeconds: Int = 5, connectionName: String = "cyclades"
    ) {
        self.host = host
        self.port = port
        self.vhost = vhost
        self.user = user
        self.password = password
        self.heartbeatSeconds = heartbeatSeconds
        self.frameMax = frameMax
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.connectionName = connectionName
    }

    public init(url: String, connectionName: String = "cyclades") throws(AMQPError) {
        guard let components = URLComponents(string: url), components.scheme == "amqp" else {
            throw .invalidConfiguration("expected amqp://user:password@host:port/vhost")
        }
        guard let user = components.user, let password = components.password else {
            throw .invalidConfiguration("the URL must carry a user and a password")
        }
        // `user`, `password` and `path` come percent-decoded already: decoding them again would
        // turn an encoded "%" ("%2541") into another character.
        var vhost = components.path
        if vhost.hasPrefix("/") { vhost.removeFirst() }
        self.init(
            host: components.host ?? "127.0.0.1",
            port: components.port ?? 5672,
            vhost: vhost.isEmpty ? "/" : vhost,
            user: user,
            password: password,
            connectionName: connectionName)
    }

    /// The URL without its password, for logs.
    public var redacted: String { "amqp://\(user)@\(host):\(port)/\(vhost)" }
}
