import Foundation
import PostgresNIO
import Storage

/// Writes events into the service's `outbox` table inside the caller's transaction: the event
/// exists if and only if the state change commits. Nothing is published from here.
public struct OutboxWriter: Sendable {
    public let producer: String
    private let table: String

    public init(database: Database, producer: String) {
        self.producer = producer
        self.table = database.table("outbox")
    }

    /// A message ready to be written: its envelope already encoded.
    public struct Entry: Sendable {
        public var id: UUID
        public var type: String
        public var exchange: String
        public var routingKey: String
        public var aggregate: String
        public var correlationID: String
        public var envelope: [UInt8]
    }

    public func entry<P: MessageContract>(
        _ payload: P, aggregate: String, exchange: String = Topology.events,
        routingKey: String? = nil, correlationID: String? = nil, causationID: String? = nil
    ) throws -> Entry {
        let envelope = Envelope(
            payload, producer: producer, correlationId: correlationID, causationId: causationID)
        return Entry(
            id: envelope.id, type: P.type, exchange: exchange, routingKey: routingKey ?? P.type,
            aggregate: aggregate, correlationID: envelope.correlationId,
            envelope: Array(try MessageCoding.encoder().encode(envelope)))
    }

    /// Writes one event; returns its message id.
    @discardableResult
    public func write<P: MessageContract>(
        _ payload: P, aggregate: String, exchange: String = Topology.events,
        routingKey: String? = nil, correlationID: String? = nil, causationID: String? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID {
        let entry = try entry(
            payload, aggregate: aggregate, exchange: exchange, routingKey: routingKey,
            correlationID: correlationID, causationID: causationID)
        try await write([entry], on: connection, logger: logger)
        return entry.id
    }

    /// Writes many events in one statement (set-based).
    public func write(_ entries: [Entry], on connection: PostgresConnection, logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(entries.map(\.id))
        binds.append(entries.map(\.type))
        binds.append(entries.map(\.exchange))
        binds.append(entries.map(\.routingKey))
        binds.append(entries.map(\.aggregate))
        binds.append(entries.map(\.correlationID))
        binds.append(entries.map { ByteBuffer(bytes: $0.envelope) })
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(table) (id, type, exchange, routing_key, aggregate, correlation_id, envelope)
                    SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])
                    """,
                binds: binds),
            logger: logger)
    }
}
