import Contracts
import Domain
import Foundation
import Messaging
import Testing

/// Each message contract has a golden JSON envelope in `Golden/<type>.json`. A change to a
/// contract that alters its JSON must be deliberate: a new version, and a new golden file.
@Suite("Message contracts match their golden JSON")
struct GoldenContractTests {
    static let fixedID = UUID(uuidString: "0b5e7c2a-1d3f-4e8a-9c6b-2f4d8e1a3c5b")!
    static let fixedDate = Date(timeIntervalSince1970: 1_806_134_400)  // 2027-03-27T08:00:00Z

    static func envelope<P: MessageContract>(_ payload: P) -> Envelope<P> {
        Envelope(payload, producer: "golden", id: fixedID, occurredAt: fixedDate, correlationId: "correlation-golden")
    }

    static func golden(_ type: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: type, withExtension: "json", subdirectory: "Golden"))
        return try Data(contentsOf: url)
    }

    static func check<P: MessageContract & Equatable>(_ payload: P) throws {
        let encoded = try MessageCoding.encoder().encode(envelope(payload))
        let expected = try golden(P.type)
        // Compare as JSON values, so that the golden file can be pretty-printed.
        let actualValue = try JSONSerialization.jsonObject(with: encoded) as? NSDictionary
        let expectedValue = try JSONSerialization.jsonObject(with: expected) as? NSDictionary
        #expect(actualValue == expectedValue, "\(P.type) no longer encodes as Golden/\(P.type).json:\n\(String(decoding: encoded, as: UTF8.self))")
        let decoded = try MessageCoding.decoder().decode(Envelope<P>.self, from: expected)
        #expect(decoded.payload == payload)
        #expect(decoded.type == P.type)
        #expect(decoded.version == P.version)
    }

    @Test func sessionOuverte() throws {
        try Self.check(SessionOuverte(
            session: try SessionCode("BP-2027-06-N"), academie: "A01",
            libelle: "BP session normale de juin 2027", ouvertePar: "gestionnaire-dec-1"))
    }
}
