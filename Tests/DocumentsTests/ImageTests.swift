import TestSupport
import Documents
import Foundation
import Testing

@Suite("PDFRenderer: images (logo, image blocks, signature scans)")
struct ImageTests {
    let tools: PDFTools

    init() throws {
        tools = try PDFTools()
    }

    static let logo = TestPNG.make(width: 120, height: 60)
    static let photo = TestPNG.make(width: 300, height: 150)
    static let scan = TestPNG.make(width: 200, height: 80, alpha: true)

    /// A relevé de notes with the académie's logo, an image block and the recteur's signature.
    static func releve(number: Int = 1) -> Document {
        Document(
            title: "Relevé de notes",
            issuer: ["Académie de Paris", "Division des examens et concours"],
            logo: DocumentImage(png: logo),
            reference: "Candidat n° \(String(format: "%05d", number))",
            blocks: [
                .paragraph("Texte avant l'image : épreuves du Brevet Professionnel."),
                .image(DocumentImage(png: photo, width: 200, alignment: .center, caption: "Cachet de l'établissement")),
                .paragraph("Texte après l'image, toujours extractable."),
                .signature(["Fait à Paris, le 10 juillet 2027", "Le recteur de l'académie"],
                           image: DocumentImage(png: scan, width: 120)),
            ],
            footer: "Document officiel.")
    }

    @Test("a logo, an image block and a signature scan are drawn at their pixel sizes, the text stays extractable")
    func drawn() throws {
        defer { tools.remove() }
        let pdf = try PDFRenderer.render([Self.releve()])
        #expect(try tools.pageCount(pdf) == 1)
        let images = try tools.images(pdf)
        let drawn = images.filter { $0.type == "image" }
        #expect(drawn.count == 3, "\(images)")
        #expect(Set(drawn.map { "\($0.width)x\($0.height)" }) == ["120x60", "300x150", "200x80"], "\(images)")
        #expect(drawn.allSatisfy { $0.page == 1 })
        // The scan has an alpha channel: cairo gives it a soft mask of the same size.
        #expect(images.contains { $0.type == "smask" && $0.width == 200 && $0.height == 80 }, "\(images)")

        let text = try tools.text(pdf)
        for expected in [
            "Académie de Paris", "Division des examens et concours", "Relevé de notes", "Candidat n° 00001",
            "Texte avant l'image : épreuves du Brevet Professionnel.", "Cachet de l'établissement",
            "Texte après l'image, toujours extractable.", "Fait à Paris, le 10 juillet 2027",
            "Le recteur de l'académie", "Document officiel.", "Page 1 / 1",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
    }

    @Test("the same logo on every document of a file is embedded once")
    func logoEmbeddedOnce() throws {
        defer { tools.remove() }
        let pdf = try PDFRenderer.render((1...3).map { Self.releve(number: $0) })
        #expect(try tools.pageCount(pdf) == 3)
        let logos = try tools.images(pdf).filter { $0.width == 120 && $0.height == 60 }
        #expect(logos.map(\.page) == [1, 2, 3], "\(logos)")
        #expect(Set(logos.map(\.object)).count == 1, "\(logos)")
        let pages = try tools.pages(pdf)
        #expect(pages.count == 3)
        #expect(pages[2].contains("Candidat n° 00003") && pages[2].contains("Le recteur de l'académie"))
    }

    @Test("an image that does not fit below the text moves to the next page, a too tall one is scaled to a page")
    func pagination() throws {
        defer { tools.remove() }
        let tall = TestPNG.make(width: 50, height: 2000)
        let paragraph = (1...50).map { "Ligne \($0) du règlement." }.joined(separator: "\n")
        let pdf = try PDFRenderer.render([
            Document(title: "Annexe", reference: "Annexe 1", blocks: [
                .paragraph(paragraph),
                .image(DocumentImage(png: Self.photo, width: 400, alignment: .trailing)),
                .image(DocumentImage(png: tall, width: 400, alignment: .leading, caption: "Plan du centre")),
                .paragraph("Fin de l'annexe."),
            ])
        ])
        let pages = try tools.pages(pdf)
        #expect(pages.count == 4, "\(pages)")
        let images = try tools.images(pdf)
        #expect(images.map(\.page) == [2, 3], "\(images)")
        #expect(images.map(\.height) == [150, 2000])
        #expect(pages[2].contains("Plan du centre"))
        #expect(pages[3].contains("Fin de l'annexe."))
        #expect(pages[0].contains("Ligne 50 du règlement."))
    }

    @Test("a corrupt, truncated, foreign, oversized or badly sized image gives a DocumentError, never a crash")
    func refused() throws {
        let good = TestPNG.make(width: 40, height: 20)
        func render(_ image: DocumentImage, as place: String) -> DocumentError? {
            let blocks: [Block] = switch place {
            case "signature": [.signature(["Le recteur"], image: image)]
            case "block": [.paragraph("Avant."), .image(image)]
            default: []
            }
            do {
                _ = try PDFRenderer.render([
                    Document(title: "Diplôme", logo: place == "logo" ? image : nil, blocks: blocks)
                ])
                return nil
            } catch let error as DocumentError {
                return error
            } catch {
                Issue.record("unexpected error \(error)")
                return nil
            }
        }
        let cases: [(String, DocumentImage, String)] = [
            ("corrupt pixel data", DocumentImage(png: TestPNG.corrupt()), "not a valid PNG"),
            ("truncated", DocumentImage(png: Array(good.prefix(good.count / 2))), "not a valid PNG"),
            ("a JPEG", DocumentImage(png: [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0, count: 60)), "only PNG"),
            ("empty", DocumentImage(png: []), "only PNG"),
            ("too wide", DocumentImage(png: TestPNG.announcing(width: 5000, height: 10)), "4096 × 4096 at most"),
            ("too tall", DocumentImage(png: TestPNG.announcing(width: 10, height: 100_000)), "4096 × 4096 at most"),
            ("no pixel", DocumentImage(png: TestPNG.announcing(width: 0, height: 10)), "4096 × 4096 at most"),
            ("over 4 MiB", DocumentImage(png: good + Array(repeating: 0, count: 4 << 20)), "4 MiB at most"),
            ("zero width", DocumentImage(png: good, width: 0), "positive number of points"),
            ("infinite width", DocumentImage(png: good, width: .infinity), "positive number of points"),
            ("NaN width", DocumentImage(png: good, width: .nan), "positive number of points"),
        ]
        for (name, image, message) in cases {
            for place in ["logo", "block", "signature"] {
                let error = render(image, as: place)
                #expect(error?.message.contains(message) == true, "\(name) as \(place): \(String(describing: error))")
            }
        }
        // The good image renders in each place.
        for place in ["logo", "block", "signature"] {
            #expect(render(DocumentImage(png: good), as: place) == nil, "\(place)")
        }
    }

    @Test("renders with images in a loop free their surfaces and stay the same")
    func loop() throws {
        let first = try PDFRenderer.render([Self.releve()])
        for _ in 0..<50 {
            #expect(try PDFRenderer.render([Self.releve()]).count == first.count)
        }
    }
}
