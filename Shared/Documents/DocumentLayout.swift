/// What to draw on a page, at page coordinates (points, origin top left).
enum DrawOp {
    case text(TextBox, x: Double, y: Double, gray: Double)
    case lines(TextBox, Range<Int>, x: Double, y: Double)
    case rectangle(x: Double, y: Double, width: Double, height: Double, fill: Double?, stroke: Double?)
    case image(PNGImage, x: Double, y: Double, width: Double, height: Double)
}

/// Lays one ``Document`` out on pages: a first pass measures every block with Pango and decides
/// where pages break; the pages are then drawn with their "Page X / Y" footer.
final class DocumentLayout {
    private let canvas: Canvas
    private let fonts: Fonts
    private let document: Document

    private let left = A4.margin
    private let contentWidth = A4.width - 2 * A4.margin
    /// Lowest point for content, above the footer.
    private let bottom: Double
    private let footerBox: TextBox?
    private let footerTop: Double
    private let referenceBox: TextBox?

    private(set) var pages: [[DrawOp]] = []
    private var y = 0.0
    /// Where content starts on the current page: a block that does not fit there is placed anyway.
    private var pageTop = 0.0

    private static let cellPadding = 4.0
    private static let blockGap = 10.0
    private static let pageNumberWidth = 70.0

    init(_ document: Document, canvas: Canvas, fonts: Fonts) {
        self.document = document
        self.canvas = canvas
        self.fonts = fonts

        let contentWidth = self.contentWidth
        let footerBox = document.footer.map {
            canvas.text($0, font: fonts.small, width: contentWidth - Self.pageNumberWidth - 12)
        }
        let lineHeight = canvas.text("Page", font: fonts.small).height
        // A footer of many lines takes at most the lower half of the page.
        footerTop = max(A4.height / 2, A4.height - 28 - max(footerBox?.height ?? 0, lineHeight))
        bottom = min(A4.height - A4.margin, footerTop - 10)
        self.footerBox = footerBox
        referenceBox = document.reference.map {
            canvas.text($0, font: fonts.small, width: contentWidth * 0.45, alignment: .trailing)
        }
    }

    // MARK: Pagination

    /// Splits the document into pages of drawing operations. Throws when an image cannot be
    /// read or is refused (see ``DocumentImage``).
    func paginate() throws -> [[DrawOp]] {
        pages = [[]]
        try placeFirstPageHeader()
        for block in document.blocks {
            try place(block)
        }
        return pages
    }

    private var atTop: Bool { y <= pageTop }

    private func emit(_ op: DrawOp) {
        pages[pages.count - 1].append(op)
    }

    private func newPage() {
        pages.append([])
        y = A4.margin
        if let referenceBox {
            emit(.text(referenceBox, x: left + contentWidth * 0.55, y: y, gray: 0.3))
            y += referenceBox.height + 12
        }
        pageTop = y
    }

    /// Starts a new page unless `height` points fit below the cursor (or the page is still empty).
    private func ensure(_ height: Double) {
        if y + height > bottom && !atTop { newPage() }
    }

    /// Where content starts on a page after the first: below the reference.
    private var laterPageTop: Double {
        A4.margin + (referenceBox.map { $0.height + 12 } ?? 0)
    }

    private func placeFirstPageHeader() throws {
        y = A4.margin
        var issuerX = left
        var issuerWidth = contentWidth * 0.5
        var issuerBottom = y
        var logoBottom = y
        if let logo = document.logo {
            let image = try canvas.image(logo.png)
            var height = Document.logoHeight
            var width = height * image.ratio
            let widest = min(try logo.checkedWidth(), contentWidth * 0.5)
            if width > widest {
                width = widest
                height = width / image.ratio
            }
            emit(.image(image, x: left, y: y, width: width, height: height))
            logoBottom = y + height
            // The issuer lines at the logo's right when they fit there unwrapped, below it otherwise.
            let besideWidth = contentWidth * 0.55 - width - 16
            let widestLine = document.issuer.enumerated().map { index, line in
                canvas.text(line, font: index == 0 ? fonts.issuerFirst : fonts.issuer).width
            }.max() ?? 0
            if width <= contentWidth * 0.25 && widestLine <= besideWidth {
                issuerX = left + width + 10
                issuerWidth = besideWidth
            } else if !document.issuer.isEmpty {
                issuerBottom = logoBottom + 6
            }
        }
        for (index, line) in document.issuer.enumerated() {
            let box = canvas.text(
                line, font: index == 0 ? fonts.issuerFirst : fonts.issuer, width: issuerWidth)
            emit(.text(box, x: issuerX, y: issuerBottom, gray: 0))
            issuerBottom += box.height + 1
        }
        var referenceBottom = y
        if let referenceBox {
            emit(.text(referenceBox, x: left + contentWidth * 0.55, y: y, gray: 0.3))
            referenceBottom += referenceBox.height
        }
        y = max(issuerBottom, referenceBottom, logoBottom)
        if y > A4.margin { y += 24 }
        let title = canvas.text(document.title, font: fonts.title, width: contentWidth, alignment: .center)
        emit(.text(title, x: left, y: y, gray: 0))
        y += title.height + 18
        pageTop = y
    }

    private func place(_ block: Block) throws {
        switch block {
        case .heading(let text): placeHeading(text)
        case .paragraph(let text): placeParagraph(text)
        case .fields(let fields): placeFields(fields)
        case .table(let table): placeTable(table)
        case .signature(let lines, let image): try placeSignature(lines, image: image)
        case .image(let image): try placeImage(image)
        case .spacer(let height):
            y += height.isFinite ? max(height, 0) : 0
            if y > bottom { newPage() }
        case .pageBreak:
            if !atTop { newPage() }
        }
    }

    private func placeHeading(_ text: String) {
        let box = canvas.text(text, font: fonts.heading, width: contentWidth)
        var before = atTop ? 0 : 8.0
        // Keep the heading with at least two lines of what follows.
        if y + before + box.height + 30 > bottom && !atTop {
            newPage()
            before = 0
        }
        y += before
        emit(.text(box, x: left, y: y, gray: 0))
        y += box.height + 6
    }

    private func placeParagraph(_ text: String) {
        let box = canvas.text(text, font: fonts.body, width: contentWidth)
        let lines = box.lines
        var first = 0
        while first < lines.count {
            let top = lines[first].top
            var end = first
            while end < lines.count && y + (lines[end].bottom - top) <= bottom { end += 1 }
            if end == first {
                if atTop {
                    end = first + 1
                } else {
                    newPage()
                    continue
                }
            }
            emit(.lines(box, first..<end, x: left, y: y))
            y += lines[end - 1].bottom - top
            first = end
            if first < lines.count { newPage() }
        }
        y += 6
    }

    private func placeFields(_ fields: [Field]) {
        guard !fields.isEmpty else { return }
        let pad = Self.cellPadding
        let widest = fields.map { canvas.text($0.label, font: fonts.label).width }.max() ?? 0
        let labelWidth = min(max(widest + 2 * pad + 1, contentWidth * 0.25), contentWidth * 0.45)
        let valueWidth = contentWidth - labelWidth
        for field in fields {
            let label = canvas.text(field.label, font: fonts.label, width: labelWidth - 2 * pad)
            let value = canvas.text(field.value, font: fonts.body, width: valueWidth - 2 * pad)
            let height = max(label.height, value.height) + 2 * pad
            ensure(height)
            emit(.rectangle(x: left, y: y, width: labelWidth, height: height, fill: 0.94, stroke: 0.7))
            emit(.rectangle(x: left + labelWidth, y: y, width: valueWidth, height: height,
                            fill: nil, stroke: 0.7))
            emit(.text(label, x: left + pad, y: y + pad, gray: 0.15))
            emit(.text(value, x: left + labelWidth + pad, y: y + pad, gray: 0))
            y += height
        }
        y += Self.blockGap
    }

    private func placeTable(_ table: Table) {
        guard !table.columns.isEmpty else { return }
        let pad = Self.cellPadding
        let weights = table.columns.map { $0.width.isFinite ? max($0.width, 0) : 0 }
        let total = weights.reduce(0, +)
        let widths = total > 0
            ? weights.map { contentWidth * $0 / total }
            : Array(repeating: contentWidth / Double(weights.count), count: weights.count)
        var xs: [Double] = []
        var x = left
        for width in widths {
            xs.append(x)
            x += width
        }

        let header = table.columns.enumerated().map { index, column in
            canvas.text(column.title, font: fonts.tableHeader, width: widths[index] - 2 * pad,
                        alignment: column.alignment)
        }
        let headerHeight = (header.map(\.height).max() ?? 0) + 2 * pad
        let minimumRowHeight = table.minimumRowHeight.isFinite ? table.minimumRowHeight : 0

        func emitRow(_ boxes: [TextBox], height: Double, fill: Double?) {
            for (index, box) in boxes.enumerated() {
                emit(.rectangle(x: xs[index], y: y, width: widths[index], height: height,
                                fill: fill, stroke: 0.55))
                emit(.text(box, x: xs[index] + pad, y: y + (height - box.height) / 2, gray: 0))
            }
            y += height
        }

        if table.rows.isEmpty {
            ensure(headerHeight)
            emitRow(header, height: headerHeight, fill: 0.88)
        }
        for (rowIndex, row) in table.rows.enumerated() {
            let cells = table.columns.enumerated().map { index, column in
                canvas.text(index < row.count ? row[index] : "", font: fonts.table,
                            width: widths[index] - 2 * pad, alignment: column.alignment)
            }
            let height = max(minimumRowHeight, (cells.map(\.height).max() ?? 0) + 2 * pad)
            if rowIndex == 0 {
                ensure(headerHeight + height)
                emitRow(header, height: headerHeight, fill: 0.88)
            } else if y + height > bottom {
                newPage()
                emitRow(header, height: headerHeight, fill: 0.88)
            }
            emitRow(cells, height: height, fill: nil)
        }
        y += Self.blockGap
    }

    private func placeSignature(_ lines: [String], image: DocumentImage?) throws {
        let pad = Self.cellPadding + 2
        let widest = lines.map { canvas.text($0, font: fonts.body).width }.max() ?? 0
        let width = min(max(contentWidth * 0.45, widest + 2 * pad + 1), contentWidth)
        let text = canvas.text(lines.joined(separator: "\n"), font: fonts.body, width: width - 2 * pad)
        guard let image else {
            let height = text.height + 2 * pad + 56
            y += atTop ? 0 : 6
            ensure(height)
            let x = left + contentWidth - width
            emit(.rectangle(x: x, y: y, width: width, height: height, fill: nil, stroke: 0.4))
            emit(.text(text, x: x + pad, y: y + pad, gray: 0))
            y += height + Self.blockGap
            return
        }
        // The scan at the top of the box, the lines below it.
        let scan = try canvas.image(image.png)
        let inner = width - 2 * pad
        var scanWidth = min(try image.checkedWidth(), inner)
        var scanHeight = scanWidth / scan.ratio
        if scanHeight > Self.signatureImageHeight {
            scanHeight = Self.signatureImageHeight
            scanWidth = scanHeight * scan.ratio
        }
        let height = pad + scanHeight + 6 + text.height + pad
        y += atTop ? 0 : 6
        ensure(height)
        let x = left + contentWidth - width
        emit(.rectangle(x: x, y: y, width: width, height: height, fill: nil, stroke: 0.4))
        emit(.image(scan, x: x + pad + offset(of: scanWidth, in: inner, image.alignment), y: y + pad,
                    width: scanWidth, height: scanHeight))
        emit(.text(text, x: x + pad, y: y + pad + scanHeight + 6, gray: 0))
        y += height + Self.blockGap
    }

    /// The tallest a signature's scan is drawn, in points.
    static let signatureImageHeight = 150.0

    /// Where something `width` wide starts across `room` points, by `alignment`.
    private func offset(of width: Double, in room: Double, _ alignment: Alignment) -> Double {
        switch alignment {
        case .leading: 0
        case .center: max((room - width) / 2, 0)
        case .trailing: max(room - width, 0)
        }
    }

    private func placeImage(_ image: DocumentImage) throws {
        let picture = try canvas.image(image.png)
        var width = min(try image.checkedWidth(), contentWidth)
        var height = width / picture.ratio
        let caption = image.caption.map {
            canvas.text($0, font: fonts.small, width: contentWidth, alignment: image.alignment)
        }
        let captionHeight = caption.map { $0.height + 4 } ?? 0
        // Never taller than what a page holds below its reference.
        let room = bottom - laterPageTop - captionHeight
        if height > room {
            height = max(room, 1)
            width = height * picture.ratio
        }
        y += atTop ? 0 : 4
        // Unlike text, an image is not placed overflowing at the top of the first page when the
        // next page has more room.
        if y + height + captionHeight > bottom && (!atTop || pageTop > laterPageTop) {
            newPage()
        }
        emit(.image(picture, x: left + offset(of: width, in: contentWidth, image.alignment), y: y,
                    width: width, height: height))
        y += height
        if let caption {
            emit(.text(caption, x: left, y: y + 4, gray: 0.3))
            y += captionHeight
        }
        y += Self.blockGap
    }

    // MARK: Drawing

    /// Draws page `number` (from 1) of `count`, then its footer.
    func draw(_ ops: [DrawOp], number: Int, of count: Int) {
        for op in ops {
            switch op {
            case .text(let box, let x, let y, let gray):
                canvas.draw(box, x: x, y: y, gray: gray)
            case .lines(let box, let range, let x, let y):
                canvas.draw(box, lines: range, x: x, y: y)
            case .rectangle(let x, let y, let width, let height, let fill, let stroke):
                canvas.rectangle(x: x, y: y, width: width, height: height, fill: fill, stroke: stroke)
            case .image(let image, let x, let y, let width, let height):
                canvas.draw(image, x: x, y: y, width: width, height: height)
            }
        }
        canvas.line(from: (left, footerTop - 5), to: (left + contentWidth, footerTop - 5),
                    gray: 0.6, lineWidth: 0.4)
        if let footerBox {
            canvas.draw(footerBox, x: left, y: footerTop, gray: 0.3)
        }
        let pageNumber = canvas.text(
            "Page \(number) / \(count)", font: fonts.small, width: Self.pageNumberWidth,
            alignment: .trailing)
        canvas.draw(pageNumber, x: left + contentWidth - Self.pageNumberWidth, y: footerTop, gray: 0.3)
    }
}
