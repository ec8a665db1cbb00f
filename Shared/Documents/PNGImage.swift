import CPangoCairo

/// A PNG file read by cairo into an image surface, ready to paint at any size. The surface is
/// released in `deinit`; an image belongs to one render (its canvas) on one thread.
final class PNGImage {
    let surface: OpaquePointer
    /// The image's size in pixels (what the PDF embeds).
    let pixelWidth: Int
    let pixelHeight: Int

    /// Width over height.
    var ratio: Double { Double(pixelWidth) / Double(pixelHeight) }

    /// Reads `png` with cairo's PNG reader (libpng), from memory. Refuses, before decoding
    /// anything, a file over ``DocumentImage/maximumBytes`` and an image whose header announces
    /// more than ``DocumentImage/maximumPixels`` pixels a side (the decoded surface is 4 bytes a
    /// pixel); then anything cairo cannot read.
    init(_ png: [UInt8]) throws {
        let (width, height) = try Self.header(png)
        let source = PNGSource(png)
        let read: cairo_read_func_t = { closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
            let source = Unmanaged<PNGSource>.fromOpaque(closure).takeUnretainedValue()
            return source.read(into: data, count: Int(length))
                ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_READ_ERROR
        }
        // cairo returns a "nil surface" carrying the error when the file cannot be read; the
        // source lives until the call returns (cairo reads the whole file during it).
        let surface = withExtendedLifetime(source) {
            cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(source).toOpaque())
        }
        guard let surface else {
            throw DocumentError("the image could not be read as PNG: cairo returned no surface")
        }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw DocumentError(
                "the image is not a valid PNG file: corrupt or truncated (cairo: \(String(cString: cairo_status_to_string(status))))")
        }
        let decodedWidth = Int(cairo_image_surface_get_width(surface))
        let decodedHeight = Int(cairo_image_surface_get_height(surface))
        guard decodedWidth == width, decodedHeight == height else {
            cairo_surface_destroy(surface)
            throw DocumentError(
                "the PNG file announces \(width) × \(height) pixels but holds \(decodedWidth) × \(decodedHeight)")
        }
        self.surface = surface
        pixelWidth = width
        pixelHeight = height
    }

    deinit {
        cairo_surface_destroy(surface)
    }

    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The size the PNG's IHDR chunk (always the first one) announces, checked against the limits.
    static func header(_ png: [UInt8]) throws -> (width: Int, height: Int) {
        guard png.count <= DocumentImage.maximumBytes else {
            throw DocumentError(
                "the image weighs \(png.count) bytes: \(DocumentImage.maximumBytes >> 20) MiB at most")
        }
        // Signature (8), IHDR length (4) and type (4), width (4), height (4), the rest of IHDR.
        guard png.count >= 33, png.starts(with: signature),
              png[12..<16].elementsEqual([0x49, 0x48, 0x44, 0x52])  // "IHDR"
        else {
            throw DocumentError("the image is not a PNG file (only PNG images are drawn)")
        }
        func bigEndian(at offset: Int) -> Int {
            png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        let width = bigEndian(at: 16)
        let height = bigEndian(at: 20)
        let limit = DocumentImage.maximumPixels
        guard (1...limit).contains(width), (1...limit).contains(height) else {
            throw DocumentError(
                "the image is \(width) × \(height) pixels: \(limit) × \(limit) at most, and not empty")
        }
        return (width, height)
    }
}

/// The bytes cairo's PNG reader pulls from, with the position reached.
private final class PNGSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Copies the next `count` bytes; false (a read error for libpng) past the end.
    func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        guard count >= 0, count <= bytes.count - offset else { return false }
        guard count > 0 else { return true }
        let copied = bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            destination.update(from: base + offset, count: count)
            return true
        }
        if copied { offset += count }
        return copied
    }
}

extension DocumentImage {
    /// The width to draw at, checked: a positive finite number of points.
    func checkedWidth() throws -> Double {
        guard width.isFinite, width > 0 else {
            throw DocumentError("an image's width must be a positive number of points (got \(width))")
        }
        return width
    }
}
