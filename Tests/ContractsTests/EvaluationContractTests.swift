import Contracts
import Domain
import Foundation
import Testing

/// Evaluation's contracts against their golden JSON (see `GoldenContractTests`). The work queue's
/// command `evaluation.saisie` is internal to the Evaluation target (`CommandeSaisie`), which this
/// target does not import: its golden file is checked against the AsyncAPI document only
/// (`AsyncAPITests`).
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

    @Test func lotsCrees() throws {
        try GoldenContractTests.check(LotsCrees(
            session: try SessionCode("BP-2027-06-N"), unite: "U20",
            lots: [
                .init(lot: "5a1c0e52-8f0b-4c52-9d39-2b1f6a7c9e01", numero: 1),
                .init(lot: "9e3b7d21-4c6a-4f8e-b2d5-7a1c3e5f9b02", numero: 2),
            ]))
    }

    /// The gestionnaire unlocks a lot, with his reason.
    @Test func lotVerrouille() throws {
        try GoldenContractTests.check(LotVerrouille(
            session: try SessionCode("BP-2027-06-N"), lot: "5a1c0e52-8f0b-4c52-9d39-2b1f6a7c9e01", unite: "U20", copies: 28,
            verrouille: false, par: "gestionnaire-dec-1", motif: "Erreur de saisie signalée par le correcteur sur la copie R4T8W2"))
    }

    @Test func notesConsolidees() throws {
        try GoldenContractTests.check(NotesConsolidees(
            session: try SessionCode("BP-2027-06-N"), specialite: "BOULANGER", epreuve: "E2", unite: "U20",
            notes: [
                .init(numeroAnonymat: "K7Q2M9", note: .valeur(try Centiemes(1250))),
                .init(numeroAnonymat: "R4T8W2", note: .absentJustifie),
                .init(numeroAnonymat: "T6P1X4", note: .valeur(try Centiemes(0))),
                .init(numeroAnonymat: "W9D3L7", note: .dispense),
                .init(numeroAnonymat: "Z3H5N1", note: .valeur(try Centiemes(2000))),
            ]))
    }
}
