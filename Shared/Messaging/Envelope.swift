import Foundation

/// A message's contract: its type string (routing key and `type` property) and version.
/// The type string is the contract, never the Swift type name. Versions only grow; decoders
/// ignore fields they do not know.
public protocol MessageContract: Codable, Sendable {
    static var type: String { get }
    static var version: Int { get }
}

/// The JSON envelope every message carries.
public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
    public var id: UUID
    public var type: String
    public var version: Int
    public var occurredAt: Date
    public var producer: String
    public var correlationId: String
    public var causationId: String?
    public var payload: Payload

    public init(
        id: UUID = UUID(), type: String, version: Int, occurredAt: Date = Date(), producer: String,
        correlationId: String? = nil, causationId: String? = nil, payload: Payload
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.occurredAt = occurredAt
        self.producer = producer
        self.correlationId = correlationId ?? id.uuidString.lowercased()
        self.causationId = causationId
        self.payload = payload
    }
}

extension Envelope where Payload: MessageContract {
    public init(
        _ payload: Payload, producer: String, id: UUID = UUID(), occurredAt: Date = Date(),
        correlationId: String? = nil, causationId: String? = nil
    ) {
        self.init(
            id: id, type: Payload.type, version: Payload.version, occurredAt: occurredAt,
            producer: producer, correlationId: correlationId, causationId: causationId,
            payload: payload)
    }
}

/// The envelope's fields without the payload: what a consumer reads before dispatching.
public struct EnvelopeMetadata: Codable, Sendable {
    public var id: UUID
    public var type: String
    public var version: Int
    public var occurredAt: Date
    public var producer: String
    public var correlationId: String
    public var causationId: String?
}

public enum MessageCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) {
                return date
            }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date: \(text)"))
        }
        return decoder
    }
}
