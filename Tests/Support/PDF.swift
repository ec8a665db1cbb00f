import Foundation

/// `pdftotext` (poppler-utils) on a PDF, for the tests that read documents back. Cells and
/// paragraphs wrap: the text comes back with its white space folded to single spaces.
public enum PDF {
    /// Runs on a thread of its own: waiting for the child on the cooperative pool (two threads
    /// here) would stall every other test of the process meanwhile.
    public static func texte(_ octets: [UInt8]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try texteBloquant(octets) }) }.start()
        }
    }

    /// The sizes (`120x60`) of the images a PDF embeds, by `pdfimages -list` (soft masks left out).
    public static func images(_ octets: [UInt8]) async throws -> [String] {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try imagesBloquant(octets) }) }.start()
        }
    }

    private static func imagesBloquant(_ octets: [UInt8]) throws -> [String] {
        let dossier = FileManager.default.temporaryDirectory.appendingPathComponent("cyclades-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dossier, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dossier) }
        let fichier = dossier.appendingPathComponent("document.pdf")
        try Data(octets).write(to: fichier)
        let process = Process(), sortie = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdfimages")
        process.arguments = ["-list", fichier.path]
        process.standardOutput = sortie
        try process.run()
        let texte = String(decoding: sortie.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestStackError("pdfimages failed (\(process.terminationStatus))") }
        // page num type width height …: the rows after the two header lines.
        return texte.split(separator: "\n").dropFirst(2).compactMap { ligne in
            let champs = ligne.split(separator: " ")
            guard champs.count > 4, champs[2] == "image" else { return nil }
            return "\(champs[3])x\(champs[4])"
        }
    }

    private static func texteBloquant(_ octets: [UInt8]) throws -> String {
        let dossier = FileManager.default.temporaryDirectory.appendingPathComponent("cyclades-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dossier, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dossier) }
        let fichier = dossier.appendingPathComponent("document.pdf"), sortie = dossier.appendingPathComponent("document.txt")
        try Data(octets).write(to: fichier)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = ["-enc", "UTF-8", fichier.path, sortie.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestStackError("pdftotext failed (\(process.terminationStatus)): not a readable PDF") }
        return try String(contentsOf: sortie, encoding: .utf8).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
