import Documents
import Foundation
import Testing

@Suite("PDFRenderer in a loop")
struct RenderLoopTests {
    /// A two-page document: fields, a 45-row table, a signature.
    static let twoPages = Document(
        title: "Relevé de notes",
        issuer: ["Académie de Paris", "Division des examens et concours"],
        reference: "Candidat n° 00012345",
        blocks: [
            .fields([Field("Nom", "BOULANGER"), Field("Prénom", "Élise"), Field("Session", "Juin 2027")]),
            .table(Table(
                columns: [Table.Column("Épreuve", width: 4), Table.Column("Coefficient", alignment: .center),
                          Table.Column("Note", alignment: .trailing)],
                rows: (1...45).map { ["Épreuve E\($0) — unité U\($0)", "2", "12,50"] })),
            .signature(["Fait le 29/11/2026", "Le recteur"]),
        ],
        footer: "Relevé délivré en un seul exemplaire.")

    @Test("200 renders in a row complete (every C object freed) and stay the same")
    func loop() throws {
        let first = try PDFRenderer.render([Self.twoPages])
        let tools = try PDFTools()
        defer { tools.remove() }
        #expect(try tools.pageCount(first) == 2)

        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<200 {
            let pdf = try PDFRenderer.render([Self.twoPages])
            #expect(pdf.count == first.count)
        }
        let elapsed = clock.now - start
        print("PDFRenderer: one 2-page document in \(elapsed / 200) (200 renders in \(elapsed))")
    }
}
