import Foundation
import Messaging
import Testing
import TestSupport

@Suite("Envelope")
struct EnvelopeTests {
    @Test("encodes every field of the architecture's envelope and decodes back")
    func roundTrip() throws {
        let envelope = Envelope(
            ProbeEvent(seq: 7), producer: "test", id: UUID(uuidString: "6F1C1A52-8E0C-4A53-9D0E-1B9F1D2A7C11")!,
            occurredAt: Date(timeIntervalSince1970: 1_800_000_000.25), correlationId: "corr-1", causationId: "cause-1")
        let data = try MessageCoding.encoder().encode(envelope)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["id", "type", "version", "occurredAt", "producer", "correlationId", "causationId", "payload"])
        #expect(object["type"] as? String == "probe.evenement")
        #expect(object["occurredAt"] as? String == "2027-01-15T08:00:00.250Z")
        let decoded = try MessageCoding.decoder().decode(Envelope<ProbeEvent>.self, from: data)
        #expect(decoded.payload == envelope.payload)
        #expect(decoded.id == envelope.id)
        #expect(decoded.occurredAt == envelope.occurredAt)
        #expect(decoded.causationId == "cause-1")
    }

    @Test("a consumer ignores fields it does not know")
    func unknownFieldsIgnored() throws {
        let json = #"{"id":"6f1c1a52-8e0c-4a53-9d0e-1b9f1d2a7c11","type":"probe.evenement","version":2,"occurredAt":"2026-11-29T08:00:00Z","producer":"x","correlationId":"c","payload":{"seq":3,"poison":false,"crash":false,"nouveau":"champ"},"extra":1}"#
        let decoded = try MessageCoding.decoder().decode(Envelope<ProbeEvent>.self, from: Data(json.utf8))
        #expect(decoded.payload.seq == 3)
        #expect(decoded.version == 2)
    }
}
