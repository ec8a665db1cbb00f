import CPangoCairo

/// A4 portrait, in PDF points.
enum A4 {
    static let width = 595.2756
    static let height = 841.8898
    /// 2 cm.
    static let margin = 56.6929
}

/// Where cairo's PDF stream surface writes: a byte buffer, reached from the C callback through an
/// unretained pointer (the canvas keeps the sink alive longer than the surface).
final class PDFSink {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(64 * 1024)
    }
}

/// One PDF being written: its stream surface, a cairo context and a Pango context at 72 dpi (so a
/// font's size in points is its size on the page). Every C object is released in `deinit`; a
/// canvas belongs to one render on one thread.
final class Canvas {
    let sink = PDFSink()
    let surface: OpaquePointer
    let cr: OpaquePointer
    let pango: OpaquePointer
    /// The images read so far in this render, by their bytes: a logo repeated on every document
    /// of the file is read once and embedded once.
    private var images: [[UInt8]: PNGImage] = [:]

    init(title: String?) throws {
        let write: cairo_write_func_t = { closure, data, length in
            guard let closure else { return CAIRO_STATUS_WRITE_ERROR }
            let sink = Unmanaged<PDFSink>.fromOpaque(closure).takeUnretainedValue()
            if let data, length > 0 {
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            }
            return CAIRO_STATUS_SUCCESS
        }
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        // cairo always returns a surface; a failed one is a "nil surface" carrying its status.
        let surface = cairo_pdf_surface_create_for_stream(write, closure, A4.width, A4.height)!
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw DocumentError.cairo(status, "creating the PDF surface")
        }
        self.surface = surface
        self.cr = cairo_create(surface)!
        self.pango = pango_cairo_create_context(cr)!

        pango_cairo_context_set_resolution(pango, 72)
        // Page layout must not depend on screen hinting.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        pango_cairo_context_set_font_options(pango, options)
        cairo_font_options_destroy(options)
        pango_context_set_round_glyph_positions(pango, 0)
        pango_context_set_language(pango, pango_language_from_string("fr-FR"))

        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Cyclades BP")
        if let title {
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        }
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(pango))
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    /// A text box: wrapped at `width` points when given, on one line per "\n" otherwise.
    func text(
        _ string: String, font: Font, width: Double? = nil, alignment: Alignment = .leading
    ) -> TextBox {
        let layout = pango_layout_new(pango)!
        pango_layout_set_font_description(layout, font.pointer)
        if let width {
            pango_layout_set_width(layout, Int32((max(width, 1) * Double(PANGO_SCALE)).rounded(.down)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        }
        switch alignment {
        case .leading: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .trailing: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
        string.withCString { pango_layout_set_text(layout, $0, -1) }
        return TextBox(layout)
    }

    /// The page is complete: emit it.
    func showPage() throws {
        cairo_show_page(cr)
        try check("drawing a page")
    }

    /// The PDF's bytes, once every page has been shown.
    func finish() throws -> [UInt8] {
        cairo_surface_finish(surface)
        try check("writing the PDF")
        return sink.bytes
    }

    func check(_ doing: String) throws {
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else { throw DocumentError.cairo(status, doing) }
        let surfaceStatus = cairo_surface_status(surface)
        guard surfaceStatus == CAIRO_STATUS_SUCCESS else {
            throw DocumentError.cairo(surfaceStatus, doing)
        }
    }

    /// The PNG image of `png`, read once per render.
    func image(_ png: [UInt8]) throws -> PNGImage {
        if let image = images[png] { return image }
        let image = try PNGImage(png)
        images[png] = image
        return image
    }

    // MARK: Drawing

    /// Paints `image` scaled to `width` × `height` points, its top left corner at (`x`, `y`).
    func draw(_ image: PNGImage, x: Double, y: Double, width: Double, height: Double) {
        guard width > 0, height > 0 else { return }
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_scale(cr, width / Double(image.pixelWidth), height / Double(image.pixelHeight))
        cairo_set_source_surface(cr, image.surface, 0, 0)
        if let pattern = cairo_get_source(cr) {
            cairo_pattern_set_filter(pattern, CAIRO_FILTER_GOOD)
        }
        cairo_paint(cr)
        cairo_restore(cr)
    }

    func setGray(_ level: Double) {
        cairo_set_source_rgb(cr, level, level, level)
    }

    func draw(_ box: TextBox, x: Double, y: Double, gray: Double = 0) {
        setGray(gray)
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, box.layout)
    }

    /// Draws the lines `range` of `box`, the top of the first one at `y`.
    func draw(_ box: TextBox, lines range: Range<Int>, x: Double, y: Double, gray: Double = 0) {
        guard let first = range.first else { return }
        setGray(gray)
        let metrics = box.lines
        let offset = y - metrics[first].top
        for index in range {
            guard let line = pango_layout_get_line_readonly(box.layout, Int32(index)) else { continue }
            cairo_move_to(cr, x + metrics[index].originX, offset + metrics[index].baseline)
            pango_cairo_show_layout_line(cr, line)
        }
    }

    func rectangle(
        x: Double, y: Double, width: Double, height: Double,
        fill: Double? = nil, stroke: Double? = nil, lineWidth: Double = 0.5, dashed: Bool = false
    ) {
        cairo_rectangle(cr, x, y, width, height)
        if let fill {
            setGray(fill)
            if stroke == nil { cairo_fill(cr) } else { cairo_fill_preserve(cr) }
        }
        if let stroke {
            setGray(stroke)
            cairo_set_line_width(cr, lineWidth)
            if dashed { setDash() }
            cairo_stroke(cr)
            if dashed { cairo_set_dash(cr, nil, 0, 0) }
        }
        cairo_new_path(cr)
    }

    func line(
        from start: (x: Double, y: Double), to end: (x: Double, y: Double),
        gray: Double, lineWidth: Double = 0.5, dashed: Bool = false
    ) {
        cairo_move_to(cr, start.x, start.y)
        cairo_line_to(cr, end.x, end.y)
        setGray(gray)
        cairo_set_line_width(cr, lineWidth)
        if dashed { setDash() }
        cairo_stroke(cr)
        if dashed { cairo_set_dash(cr, nil, 0, 0) }
    }

    private func setDash() {
        let dashes: [Double] = [3, 2]
        cairo_set_dash(cr, dashes, Int32(dashes.count), 0)
    }

    /// An entry of the PDF's outline (bookmarks) pointing at a page, numbered from 1 in the file.
    func addOutline(_ title: String, page: Int) {
        _ = cairo_pdf_surface_add_outline(
            surface, Int32(CAIRO_PDF_OUTLINE_ROOT), title, "page=\(page)",
            cairo_pdf_outline_flags_t(rawValue: 0))
    }
}

/// A Pango font description, e.g. "DejaVu Sans 10".
final class Font {
    let pointer: OpaquePointer

    init(_ description: String) {
        pointer = pango_font_description_from_string(description)!
    }

    deinit {
        pango_font_description_free(pointer)
    }
}

/// The fonts of a render (Pango copies a description into each layout, so these live no longer
/// than the render).
struct Fonts {
    let body = Font("DejaVu Sans 10")
    let bodyBold = Font("DejaVu Sans Bold 10")
    let label = Font("DejaVu Sans Bold 9")
    let table = Font("DejaVu Sans 9")
    let tableHeader = Font("DejaVu Sans Bold 9")
    let heading = Font("DejaVu Sans Bold 12")
    let title = Font("DejaVu Serif Bold 16")
    let issuer = Font("DejaVu Sans 9")
    let issuerFirst = Font("DejaVu Sans Bold 10")
    let small = Font("DejaVu Sans 8")
}

/// A laid-out piece of text (a PangoLayout) with its size in points.
final class TextBox {
    let layout: OpaquePointer
    let width: Double
    let height: Double

    struct Line {
        /// Top and bottom of the line's logical box, baseline, in the layout's coordinates.
        var top: Double
        var bottom: Double
        var baseline: Double
        /// Where the line's origin is, horizontally, in the layout's coordinates.
        var originX: Double
    }

    init(_ layout: OpaquePointer) {
        self.layout = layout
        var width: Int32 = 0
        var height: Int32 = 0
        pango_layout_get_size(layout, &width, &height)
        self.width = Double(width) / Double(PANGO_SCALE)
        self.height = Double(height) / Double(PANGO_SCALE)
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(layout))
    }

    /// The lines' metrics, to split the text across pages.
    private(set) lazy var lines: [Line] = {
        var lines: [Line] = []
        guard let iterator = pango_layout_get_iter(layout) else { return lines }
        defer { pango_layout_iter_free(iterator) }
        let scale = Double(PANGO_SCALE)
        repeat {
            var logical = PangoRectangle()
            pango_layout_iter_get_line_extents(iterator, nil, &logical)
            var lineLogical = PangoRectangle()
            if let line = pango_layout_iter_get_line_readonly(iterator) {
                pango_layout_line_get_extents(line, nil, &lineLogical)
            }
            lines.append(
                Line(
                    top: Double(logical.y) / scale,
                    bottom: Double(logical.y + logical.height) / scale,
                    baseline: Double(pango_layout_iter_get_baseline(iterator)) / scale,
                    originX: Double(logical.x - lineLogical.x) / scale))
        } while pango_layout_iter_next_line(iterator) != 0
        return lines
    }()
}

extension DocumentError {
    static func cairo(_ status: cairo_status_t, _ doing: String) -> DocumentError {
        DocumentError("cairo failed \(doing): \(String(cString: cairo_status_to_string(status)))")
    }
}
