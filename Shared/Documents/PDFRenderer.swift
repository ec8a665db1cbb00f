import NIOPosix

/// Renders documents and label sheets to PDF (cairo's PDF surface, text laid out by Pango).
///
/// Pages are A4 portrait; text is set in DejaVu Sans (DejaVu Serif for titles) and stays
/// extractable (`pdftotext`), accents, ligatures and « guillemets » included. Images (a logo, an
/// image block, a signature's scan) are PNG files, read by cairo; see ``DocumentImage``. Each call has its
/// own surface, context and layouts, so renders may run concurrently on several threads. The
/// synchronous functions block their thread for the whole render: from a request handler, use the
/// `async` one, which runs on `NIOThreadPool.singleton`.
public enum PDFRenderer {
    /// One PDF file holding the documents in order, each starting on a new page with its own
    /// "Page X / Y" numbering (and, when there are several, an outline entry). The PDF's metadata
    /// title is the first document's title.
    public static func render(_ documents: [Document]) throws -> [UInt8] {
        guard let first = documents.first else {
            throw DocumentError("nothing to render: no document")
        }
        let canvas = try Canvas(title: first.title)
        let fonts = Fonts()
        var pagesSoFar = 0
        for document in documents {
            let layout = DocumentLayout(document, canvas: canvas, fonts: fonts)
            let pages = try layout.paginate()
            if documents.count > 1 {
                canvas.addOutline(document.title, page: pagesSoFar + 1)
            }
            for (index, ops) in pages.enumerated() {
                layout.draw(ops, number: index + 1, of: pages.count)
                try canvas.showPage()
            }
            pagesSoFar += pages.count
        }
        return try canvas.finish()
    }

    /// Sheets of labels: as many A4 pages as needed for `columns` × `rows` labels a page (one
    /// empty sheet when there is no label).
    public static func render(_ sheet: LabelSheet) throws -> [UInt8] {
        let canvas = try Canvas(title: nil)
        try LabelSheetLayout(sheet, canvas: canvas).draw()
        return try canvas.finish()
    }

    /// The documents' PDF, rendered off the Swift cooperative pool, on `NIOThreadPool.singleton`.
    public static func render(_ documents: [Document]) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive { try render(documents) }
    }

    /// The label sheets' PDF, rendered off the Swift cooperative pool, on `NIOThreadPool.singleton`.
    public static func render(_ sheet: LabelSheet) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive { try render(sheet) }
    }
}
