import Foundation
import Logging
import PostgresNIO

/// What a handler gets besides the message: the transaction it runs in (the inbox row and any
/// events it writes commit or roll back with its own changes).
public struct MessageContext: Sendable {
    public let metadata: EnvelopeMetadata
    public let connection: PostgresConnection
    public let outbox: OutboxWriter
    public let logger: Logger
}

/// A message that can never be handled (bad payload, unknown type, a rule it breaks): it goes
/// to the dead-letter queue at once instead of being retried.
public struct PermanentMessageError: Error, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The typed handlers of a consumer, by message type.
public struct MessageHandlers: Sendable {
    typealias Handler = @Sendable (_ body: [UInt8], _ context: MessageContext) async throws -> Void
    private(set) var handlers: [String: Handler] = [:]

    public init() {}

    /// Handles messages of contract `P`. Its payload is decoded before the handler runs; a body
    /// that does not decode is a permanent failure.
    public mutating func on<P: MessageContract>(
        _ contract: P.Type,
        _ handle: @escaping @Sendable (Envelope<P>, MessageContext) async throws -> Void
    ) {
        handlers[P.type] = { body, context in
            let envelope: Envelope<P>
            do {
                envelope = try MessageCoding.decoder().decode(Envelope<P>.self, from: Data(body))
            } catch {
                throw PermanentMessageError("payload of \(P.type) does not decode: \(error)")
            }
            try await handle(envelope, context)
        }
    }

    /// The message types handled: the consumer's queue is bound to exactly these.
    public var types: [String] { handlers.keys.sorted() }
}
