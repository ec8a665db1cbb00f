/// Errors of the AMQP layer, classed by what the caller can do about them.
public enum AMQPError: Error, Sendable, CustomStringConvertible {
    /// The configuration (URL, credentials) is unusable; retrying will not help.
    case invalidConfiguration(String)
    /// The TCP connection could not be made, or was lost; reconnecting may help.
    case connectionLost(String)
    /// The broker closed the channel or connection (e.g. access refused, precondition failed).
    case closedByBroker(code: Int, text: String)
    /// A call was made on a connection that was already closed.
    case notConnected
    /// The broker refused (nack) or could not route (return) some published messages.
    case publishRejected(nacked: [Int], returned: [Int])

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid AMQP configuration: \(why)"
        case .connectionLost(let why): "AMQP connection lost: \(why)"
        case .closedByBroker(let code, let text): "closed by broker (\(code)): \(text)"
        case .notConnected: "AMQP connection is closed"
        case .publishRejected(let nacked, let returned):
            "broker refused \(nacked.count) message(s) and returned \(returned.count) unroutable"
        }
    }

    /// Whether a new connection may succeed where this one failed.
    public var isTransient: Bool {
        switch self {
        case .connectionLost, .notConnected: true
        // 320 connection-forced (broker shutting down), 541 internal error
        case .closedByBroker(let code, _): code == 320 || code == 541
        case .invalidConfiguration, .publishRejected: false
        }
    }
}

/// A publish batch interrupted by a lost connection: tells which messages were confirmed so that
/// only the others are sent again.
struct PublishInterrupted: Error {
    var confirmed: [Bool]
    var cause: AMQPError
}
