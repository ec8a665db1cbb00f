import CPangoCairo

/// Lays a ``LabelSheet`` out: a grid of `columns` × `rows` labels per A4 page inside 1 cm margins,
/// dashed cut lines on every border, each label's lines centred and shrunk to fit.
struct LabelSheetLayout {
    let sheet: LabelSheet
    let canvas: Canvas

    private static let margin = 28.3465  // 1 cm
    private static let sizes: [Double] = [10, 9, 8, 7, 6, 5]

    var perPage: Int { sheet.columns * sheet.rows }
    var pageCount: Int { max(1, (sheet.labels.count + perPage - 1) / perPage) }

    private var cellWidth: Double { (A4.width - 2 * Self.margin) / Double(sheet.columns) }
    private var cellHeight: Double { (A4.height - 2 * Self.margin) / Double(sheet.rows) }

    init(_ sheet: LabelSheet, canvas: Canvas) throws {
        guard sheet.columns >= 1, sheet.rows >= 1 else {
            throw DocumentError("a label sheet needs at least one column and one row")
        }
        self.sheet = sheet
        self.canvas = canvas
        guard cellWidth >= 20, cellHeight >= 10 else {
            throw DocumentError(
                "labels of \(sheet.columns) × \(sheet.rows) per page are too small to print")
        }
    }

    func draw() throws {
        let fonts = Dictionary(
            uniqueKeysWithValues: Self.sizes.map { size in
                (size, (regular: Font("DejaVu Sans \(size)"), bold: Font("DejaVu Sans Bold \(size)")))
            })
        for page in 0..<pageCount {
            let first = page * perPage
            let labels = sheet.labels[first..<min(first + perPage, sheet.labels.count)]
            for (offset, lines) in labels.enumerated() {
                let x = Self.margin + Double(offset % sheet.columns) * cellWidth
                let y = Self.margin + Double(offset / sheet.columns) * cellHeight
                drawLabel(lines, x: x, y: y, fonts: fonts)
            }
            drawCutLines()
            try canvas.showPage()
        }
    }

    private func drawLabel(
        _ lines: [String], x: Double, y: Double, fonts: [Double: (regular: Font, bold: Font)]
    ) {
        guard !lines.isEmpty else { return }
        let pad = min(4, cellWidth / 10)
        let width = cellWidth - 2 * pad
        var boxes: [TextBox] = []
        var height = 0.0
        for size in Self.sizes {
            boxes = lines.enumerated().map { index, line in
                let font = index == 0 ? fonts[size]!.bold : fonts[size]!.regular
                return canvas.text(line, font: font, width: width, alignment: .center)
            }
            height = boxes.map(\.height).reduce(0, +) + Double(boxes.count - 1)
            if height <= cellHeight - 2 * pad { break }
        }
        canvas.clip(x: x, y: y, width: cellWidth, height: cellHeight) {
            var top = y + max(pad, (cellHeight - height) / 2)
            for box in boxes {
                canvas.draw(box, x: x + pad, y: top)
                top += box.height + 1
            }
        }
    }

    private func drawCutLines() {
        let right = A4.width - Self.margin
        let bottom = A4.height - Self.margin
        for row in 0...sheet.rows {
            let y = Self.margin + Double(row) * cellHeight
            canvas.line(from: (Self.margin, y), to: (right, y), gray: 0.6, lineWidth: 0.3, dashed: true)
        }
        for column in 0...sheet.columns {
            let x = Self.margin + Double(column) * cellWidth
            canvas.line(from: (x, Self.margin), to: (x, bottom), gray: 0.6, lineWidth: 0.3, dashed: true)
        }
    }
}

extension Canvas {
    /// Runs `body` with drawing restricted to a rectangle.
    func clip(x: Double, y: Double, width: Double, height: Double, _ body: () -> Void) {
        cairo_save(cr)
        cairo_rectangle(cr, x, y, width, height)
        cairo_clip(cr)
        body()
        cairo_restore(cr)
    }
}
