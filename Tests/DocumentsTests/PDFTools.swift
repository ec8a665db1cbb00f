import Foundation
import Testing

/// Writes PDFs to a private temporary directory and reads them back with poppler's tools.
/// Set `CYCLADES_DOCUMENTS_KEEP=1` to keep the files and look at them.
struct PDFTools {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cyclades-documents-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        if ProcessInfo.processInfo.environment["CYCLADES_DOCUMENTS_KEEP"] != nil {
            print("PDFs kept in \(directory.path)")
            return
        }
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ bytes: [UInt8], name: String = "document") throws -> URL {
        let url = directory.appendingPathComponent("\(name)-\(UUID().uuidString).pdf")
        try Data(bytes).write(to: url)
        return url
    }

    /// `pdftotext -layout`: the text of every page, pages separated by form feeds.
    func text(_ bytes: [UInt8]) throws -> String {
        try run("/usr/bin/pdftotext", ["-layout", "-enc", "UTF-8", write(bytes).path, "-"])
    }

    /// The text of each page, in order.
    func pages(_ bytes: [UInt8]) throws -> [String] {
        var pages = try text(bytes).components(separatedBy: "\u{0C}")
        if pages.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true {
            pages.removeLast()
        }
        return pages
    }

    /// `pdfinfo` as a dictionary ("Pages", "Title", …).
    func info(_ bytes: [UInt8]) throws -> [String: String] {
        let output = try run("/usr/bin/pdfinfo", [write(bytes).path])
        var info: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            info[String(line[..<colon])] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        return info
    }

    /// One row of `pdfimages -list`: an image drawn on a page (a soft mask has its own row).
    struct ListedImage: Equatable {
        var page: Int
        /// `image`, `smask`…
        var type: String
        var width: Int
        var height: Int
        /// The PDF object holding the pixels: the same for an image drawn twice from one object.
        var object: Int
    }

    /// `pdfimages -list`: every image drawn, page by page, at its embedded pixel size.
    func images(_ bytes: [UInt8]) throws -> [ListedImage] {
        let output = try run("/usr/bin/pdfimages", ["-list", write(bytes).path])
        // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
        return try output.split(separator: "\n").dropFirst(2).map { line in
            let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            try #require(columns.count >= 11, "unexpected pdfimages line: \(line)")
            return ListedImage(
                page: try #require(Int(columns[0])), type: columns[2], width: try #require(Int(columns[3])),
                height: try #require(Int(columns[4])), object: try #require(Int(columns[10])))
        }
    }

    func pageCount(_ bytes: [UInt8]) throws -> Int {
        try #require(Int(info(bytes)["Pages"] ?? ""))
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) failed on \(arguments)")
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    func occurrences(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
    }
}
