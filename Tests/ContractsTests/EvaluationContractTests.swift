import Contracts
import Domain
import Foundation
import Testing

/// Evaluation's own contracts against their golden JSON (see `GoldenContractTests`).
@Suite("Evaluation contracts match their golden JSON")
struct EvaluationContractTests {
    @Test func notesSaisies() throws {
        let commande = UUID(uuidString: "7d0e5c1b-2a3f-4b6c-8d9e-0f1a2b3c4d5e")!
        try GoldenContractTests.check(NotesSaisies(
            session: try SessionCode("BP-2027-06-N"), unite: "U20", lot: "5a1c0e52-8f0b-4c52-9d39-2b1f6a7c9e01",
            sources: ["portail"],
            notes: [
                .init(numeroAnonymat: "K7Q2M9", note: .valeur(try Centiemes(1250)), revision: 1_806_134_400_000_000, commande: commande),
                .init(numeroAnonymat: "R4T8W2", note: .absent, revision: 1_806_134_400_000_001, commande: commande),
            ]))
    }
}
