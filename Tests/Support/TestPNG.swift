/// PNG files made in the tests, so that no binary fixture is needed: 8-bit RGB (or RGBA) pixels,
/// unfiltered, in stored (uncompressed) deflate blocks — valid for any PNG reader.
public enum TestPNG {
    /// A `width` × `height` image: a gradient, with an alpha ramp when `alpha` is set.
    public static func make(width: Int, height: Int, alpha: Bool = false) -> [UInt8] {
        let channels = alpha ? 4 : 3
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (1 + width * channels))
        for row in 0..<height {
            raw.append(0)  // filter: none
            for column in 0..<width {
                raw.append(UInt8(truncatingIfNeeded: column * 255 / max(width - 1, 1)))
                raw.append(UInt8(truncatingIfNeeded: row * 255 / max(height - 1, 1)))
                raw.append(0x80)
                if alpha { raw.append(UInt8(truncatingIfNeeded: 64 + column * 191 / max(width - 1, 1))) }
            }
        }
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, alpha ? 6 : 2, 0, 0, 0]  // depth, colour type, compression, filter, interlace
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
    }

    /// A PNG whose signature and header are right but whose pixel data is garbage.
    public static func corrupt(width: Int = 40, height: Int = 20) -> [UInt8] {
        let good = make(width: width, height: height)
        // Signature + IHDR chunk (8 + 25 bytes), then an IDAT of noise with a correct CRC.
        let noise = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        return Array(good.prefix(33)) + chunk("IDAT", noise) + chunk("IEND", [])
    }

    /// A header announcing `width` × `height` pixels, and nothing else of value.
    public static func announcing(width: Int, height: Int) -> [UInt8] {
        let good = make(width: 2, height: 2)
        var bytes = Array(good.prefix(16)) + bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        bytes += good[24...]
        return bytes
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    /// A zlib stream of stored blocks (no compression).
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + bigEndian(b << 16 | a)
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var c = UInt32(index)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
