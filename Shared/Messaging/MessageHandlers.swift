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

/// What a batch handler gets: the same transaction, for several messages of one type at once.
public struct MessageBatchContext: Sendable {
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
///
/// A handler takes one message (`on`): right for domain events, a few at a time. A batch
/// handler (`onBatch`) takes every message of its type that came together, in their order,
/// so that it can write them set-based in one statement: right for a work queue whose commands
/// come by thousands (grade entry). Both run in the consumer's transaction, after the inbox has
/// dropped duplicates; both see a permanent failure isolated to the one message that caused it.
public struct MessageHandlers: Sendable {
    typealias Handler = @Sendable (_ body: [UInt8], _ context: MessageContext) async throws -> Void
    typealias BatchHandler = @Sendable (_ bodies: [[UInt8]], _ context: MessageBatchContext) async throws -> Void

    enum Entry: Sendable {
        case single(Handler)
        case batch(BatchHandler)
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Handles messages of contract `P` one by one. Its payload is decoded before the handler
    /// runs; a body that does not decode is a permanent failure.
    public mutating func on<P: MessageContract>(
        _ contract: P.Type,
        _ handle: @escaping @Sendable (Envelope<P>, MessageContext) async throws -> Void
    ) {
        entries[P.type] = .single { body, context in
            try await handle(Self.decode(P.self, body), context)
        }
    }

    /// Handles the messages of contract `P` of a delivery batch together, in delivery order.
    public mutating func onBatch<P: MessageContract>(
        _ contract: P.Type,
        _ handle: @escaping @Sendable ([Envelope<P>], MessageBatchContext) async throws -> Void
    ) {
        entries[P.type] = .batch { bodies, context in
            try await handle(bodies.map { try Self.decode(P.self, $0) }, context)
        }
    }

    /// Adds every handler of `other` (a type both handle: `other`'s wins).
    public mutating func merge(_ other: MessageHandlers) {
        entries.merge(other.entries) { _, theirs in theirs }
    }

    /// The message types handled: the consumer's queue is bound to exactly these.
    public var types: [String] { entries.keys.sorted() }

    private static func decode<P: MessageContract>(_ contract: P.Type, _ body: [UInt8]) throws -> Envelope<P> {
        do {
            return try MessageCoding.decoder().decode(Envelope<P>.self, from: Data(body))
        } catch {
            throw PermanentMessageError("payload of \(P.type) does not decode: \(error)")
        }
    }
}
