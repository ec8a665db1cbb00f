@testable import Evaluation
import Foundation
import Messaging
import Testing

/// `evaluation.saisie` is Evaluation's own contract (the work queue's command): its golden file
/// lives with the others (`Tests/ContractsTests/Golden`, checked against the AsyncAPI document
/// there) and is compared here with how the Swift type encodes and decodes.
@Suite("evaluation.saisie matches its golden JSON")
struct CommandeSaisieContratTests {
    @Test func golden() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ContractsTests/Golden/evaluation.saisie.json")
        let attendu = try Data(contentsOf: golden)
        let id = try #require(UUID(uuidString: "0b5e7c2a-1d3f-4e8a-9c6b-2f4d8e1a3c5b"))
        let commande = CommandeSaisie(
            id: id, lot: try #require(UUID(uuidString: "5a1c0e52-8f0b-4c52-9d39-2b1f6a7c9e01")), revision: 1_806_134_400_000_000,
            par: "correcteur-boulanger-3", role: "correcteur", source: "portail",
            lignes: [.init(copie: "K7Q2M9", note: "12.50"), .init(copie: "R4T8W2", note: "ABS"), .init(copie: "Z3H5N1", note: "20.00")])
        let enveloppe = Envelope(commande, producer: "golden", id: id, occurredAt: Date(timeIntervalSince1970: 1_806_134_400),
                                 correlationId: "correlation-golden")
        let encode = try JSONSerialization.jsonObject(with: try MessageCoding.encoder().encode(enveloppe)) as? NSDictionary
        #expect(encode == (try JSONSerialization.jsonObject(with: attendu) as? NSDictionary))
        #expect(try MessageCoding.decoder().decode(Envelope<CommandeSaisie>.self, from: attendu).payload == commande)
    }
}
