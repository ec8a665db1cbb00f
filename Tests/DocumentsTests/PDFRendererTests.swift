import Documents
import Foundation
import Testing

@Suite("PDFRenderer")
struct PDFRendererTests {
    let tools: PDFTools

    init() throws {
        tools = try PDFTools()
    }

    static func confirmation(candidate: Int = 12345, version: Int = 2) -> Document {
        Document(
            title: "Confirmation d'inscription",
            issuer: ["Académie de Paris", "Division des examens et concours"],
            reference: "Candidature n° \(String(format: "%08d", candidate)) — version \(version)",
            blocks: [
                .heading("Candidat"),
                .fields([
                    Field("Nom", "BOULANGER"),
                    Field("Prénom", "Élise"),
                    Field("Spécialité", "Boulanger — Brevet Professionnel"),
                ]),
                .paragraph("Vous êtes inscrit(e) à la session de juin 2027."),
                .signature(["Fait le 29/11/2026", "Signature du candidat"]),
            ],
            footer: "Document à conserver.")
    }

    @Test("French accents, ligatures, guillemets and € come back from pdftotext")
    func frenchText() throws {
        defer { tools.remove() }
        let sentence = "Élève, Œuvre, coefficient, ﬁ, « Boulanger », 12,50 €"
        let pdf = try PDFRenderer.render([
            Document(title: "Relevé de notes", blocks: [
                .paragraph(sentence),
                .fields([Field("Épreuve", "Pâtisserie française — œufs à la neige")]),
            ])
        ])
        let text = try tools.text(pdf)
        #expect(text.contains(sentence), "\(text)")
        #expect(text.contains("Relevé de notes"))
        #expect(text.contains("Épreuve"))
        #expect(text.contains("Pâtisserie française — œufs à la neige"))
    }

    @Test("a whole document: header, reference, fields, signature, footer and metadata")
    func wholeDocument() throws {
        defer { tools.remove() }
        let pdf = try PDFRenderer.render([Self.confirmation()])
        let text = try tools.text(pdf)
        for expected in [
            "Académie de Paris", "Division des examens et concours", "Candidature n° 00012345 — version 2",
            "Confirmation d'inscription", "Candidat", "BOULANGER", "Élise", "Spécialité",
            "Vous êtes inscrit(e) à la session de juin 2027.", "Fait le 29/11/2026",
            "Signature du candidat", "Document à conserver.", "Page 1 / 1",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        let info = try tools.info(pdf)
        #expect(info["Pages"] == "1")
        #expect(info["Title"] == "Confirmation d'inscription")
        #expect(info["Page size"]?.hasPrefix("595.276 x 841.89") == true, "\(info)")
    }

    @Test("a PDF file: %PDF- header and %%EOF trailer")
    func headerAndTrailer() throws {
        let pdf = try PDFRenderer.render([Self.confirmation()])
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        let tail = String(decoding: pdf.suffix(16), as: UTF8.self)
        #expect(tail.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("%%EOF"))
    }

    @Test("a 300-row table spans pages, header repeated, every row present once")
    func longTable() throws {
        defer { tools.remove() }
        let table = Table(
            columns: [
                Table.Column("N°", width: 1, alignment: .trailing),
                Table.Column("Nom du candidat", width: 4),
                Table.Column("Note", width: 1.5, alignment: .center),
                Table.Column("Émargement", width: 3),
            ],
            rows: (1...300).map { ["\($0)", "Candidat-\(String(format: "%03d", $0)) DUPONT", "12,50", ""] },
            minimumRowHeight: 20)
        let pdf = try PDFRenderer.render([
            Document(title: "Liste d'émargement", reference: "Salle B12", blocks: [
                .paragraph("Épreuve E2 — Technologie"), .table(table),
            ], footer: "Session de juin 2027")
        ])
        let pages = try tools.pages(pdf)
        let count = try tools.pageCount(pdf)
        #expect(count > 3)
        #expect(pages.count == count)
        for (index, page) in pages.enumerated() {
            #expect(page.occurrences(of: "Nom du candidat") == 1, "page \(index + 1) lacks its header")
            #expect(page.contains("Page \(index + 1) / \(count)"))
            #expect(page.contains("Salle B12"))
        }
        let text = pages.joined()
        for row in 1...300 {
            #expect(text.occurrences(of: "Candidat-\(String(format: "%03d", row)) DUPONT") == 1)
        }
    }

    @Test("a long paragraph continues on the next page, no line lost or repeated")
    func longParagraph() throws {
        defer { tools.remove() }
        let sentences = (1...150).map { "Phrase numéro \($0) du règlement de l'examen." }
        let pdf = try PDFRenderer.render([
            Document(title: "Règlement", blocks: [.paragraph(sentences.joined(separator: " "))])
        ])
        #expect(try tools.pageCount(pdf) >= 2)
        let words = try tools.text(pdf).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for number in 1...150 {
            #expect(words.occurrences(of: "numéro \(number) du") == 1, "sentence \(number)")
        }
    }

    @Test("two documents in one file are numbered separately")
    func separateNumbering() throws {
        defer { tools.remove() }
        let pdf = try PDFRenderer.render([
            Self.confirmation(candidate: 1), Self.confirmation(candidate: 2),
        ])
        #expect(try tools.pageCount(pdf) == 2)
        let pages = try tools.pages(pdf)
        #expect(pages.count == 2)
        #expect(pages.joined().occurrences(of: "Page 1 / 1") == 2)
        #expect(pages[0].contains("Candidature n° 00000001"))
        #expect(pages[1].contains("Candidature n° 00000002"))
    }

    @Test("page breaks, spacers and headings lay out without losing text")
    func pageBreaks() throws {
        defer { tools.remove() }
        let pdf = try PDFRenderer.render([
            Document(title: "Procès-verbal", blocks: [
                .heading("Première partie"), .paragraph("Texte un."), .pageBreak, .pageBreak,
                .heading("Deuxième partie"), .spacer(900), .paragraph("Texte deux."),
                .table(Table(columns: [], rows: [["ignored"]])),
                .table(Table(columns: [Table.Column("Vide")], rows: [])),
                .fields([]), .signature([]),
            ])
        ])
        let pages = try tools.pages(pdf)
        #expect(pages.count == 3)
        #expect(pages[0].contains("Première partie") && pages[0].contains("Page 1 / 3"))
        #expect(pages[1].contains("Deuxième partie"))
        #expect(pages[2].contains("Texte deux.") && pages[2].contains("Vide"))
    }

    @Test("65 labels (5 × 13) fill one page, 70 need a second")
    func labelSheets() throws {
        defer { tools.remove() }
        func labels(_ count: Int) -> [[String]] {
            (1...count).map { ["Table \($0)", "Candidat n° \(String(format: "%05d", $0))", "Salle B12"] }
        }
        let full = try PDFRenderer.render(LabelSheet(columns: 5, rows: 13, labels: labels(65)))
        #expect(try tools.pageCount(full) == 1)
        let words = try tools.text(full).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for number in 1...65 {
            #expect(words.contains(String(format: "%05d", number)), "label \(number)")
            #expect(words.occurrences(of: "Table \(number) ") == 1, "label \(number)")
        }

        let more = try PDFRenderer.render(LabelSheet(columns: 5, rows: 13, labels: labels(70)))
        #expect(try tools.pageCount(more) == 2)
        let pages = try tools.pages(more)
        #expect(pages.count == 2)
        #expect(pages[1].contains("00070") && !pages[1].contains("00065"))
    }

    @Test("a long label line shrinks or wraps instead of overflowing")
    func longLabel() throws {
        defer { tools.remove() }
        let pdf = try PDFRenderer.render(LabelSheet(columns: 3, rows: 8, labels: [
            ["Lycée professionnel Jean-Baptiste de La Salle", "Boulangerie — Pâtisserie", "Copie n° 12"],
        ]))
        let words = try tools.text(pdf).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Copie n° 12"))
        #expect(words.contains("Pâtisserie"))
    }

    @Test("bad requests are refused with a DocumentError")
    func errors() {
        #expect(throws: DocumentError.self) { try PDFRenderer.render([Document]()) }
        #expect(throws: DocumentError.self) {
            try PDFRenderer.render(LabelSheet(columns: 0, rows: 13, labels: [["x"]]))
        }
        #expect(throws: DocumentError.self) {
            try PDFRenderer.render(LabelSheet(columns: 5, rows: 500, labels: [["x"]]))
        }
    }

    @Test("8 concurrent renders off the cooperative pool all succeed")
    func concurrentRenders() async throws {
        defer { tools.remove() }
        let pdfs = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for index in 0..<8 {
                group.addTask {
                    (index, try await PDFRenderer.render([Self.confirmation(candidate: index)]))
                }
            }
            var pdfs: [Int: [UInt8]] = [:]
            for try await (index, pdf) in group { pdfs[index] = pdf }
            return pdfs
        }
        #expect(pdfs.count == 8)
        for (index, pdf) in pdfs {
            #expect(try tools.text(pdf).contains("Candidature n° \(String(format: "%08d", index))"))
        }
    }
}
