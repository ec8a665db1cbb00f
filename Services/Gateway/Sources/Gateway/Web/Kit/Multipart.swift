// Why this parser and not vapor's multipart-kit (issue 19, item 8), measured 2026-12-05 with
// Swift 6.3.1 in release mode on the 2-core build machine: a scratch package outside the repo
// (multipart-kit 4.7.1 exact, swift-nio) copying `init?(body:boundary:)` below, each side
// starting from the collected `ByteBuffer`, best of 5, same run —
// `swift build -c release && .build/release/mpbench 16777216`:
//
// | 16 MiB body (two fields + a CSV file)        | this parser | MultipartParser | FormDataDecoder |
// |----------------------------------------------|-------------|-----------------|-----------------|
// | CSV lines full of `-` and CRLF                | 117 ms      | 961 ms          | 1 001 ms        |
// | every line the delimiter but for its last byte | 232 ms     | 2 020 ms        | 1 894 ms        |
//
// (1 MiB: 1.7 ms against 52 ms; 4 MiB: 29 ms against 256 ms.) multipart-kit is 8–9× slower
// here, and its decoder gives no file name. This search is linear, not O(n·m): the delimiter
// `\r\n--boundary` holds CR only at its start (a header value cannot carry one), so two partial
// matches never overlap and each byte is compared at most twice. The parser stays.

import Foundation
import Hummingbird
import ServiceKit

/// A form sent as `multipart/form-data` (the forms that carry a file: pièces, CSV imports):
/// its text fields as a `WebForm` and its files, read only after its CSRF field was checked.
struct MultipartForm: Sendable {
    struct Fichier: Sendable {
        /// The name the browser gave (never trusted: the service cleans it).
        var nom: String
        var octets: [UInt8]
    }

    var champs: WebForm
    var fichiers: [String: Fichier]

    /// Reads a multipart (or, without a file input, url-encoded) body of at most `limit` bytes;
    /// throws `WebRefusal.csrf` unless its `_csrf` field matches the cookie, a 413 page when too
    /// large, a 400 page when it is not a form.
    static func read(_ request: Request, limit: Int) async throws -> MultipartForm {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw ServiceError(.contentTooLarge, code: "requete.trop_grande",
                               message: "L'envoi dépasse \(limit >> 20) Mio : choisissez un fichier plus petit.")
        }
        let contentType = request.headers[.contentType] ?? ""
        let form: MultipartForm
        if let boundary = boundary(of: contentType) {
            guard let parsed = MultipartForm(body: Array(buffer: body), boundary: boundary) else {
                throw ServiceError(.badRequest, code: "requete.formulaire", message: "Le formulaire envoyé est illisible. Rechargez la page et recommencez.")
            }
            form = parsed
        } else {
            form = MultipartForm(champs: WebForm(encoded: String(buffer: body)), fichiers: [:])
        }
        guard CSRF.verify(cookie: request.cookies[CSRF.cookieName]?.value, field: form.champs.values[CSRF.field]) else {
            throw WebRefusal.csrf
        }
        return form
    }

    init(champs: WebForm, fichiers: [String: Fichier]) {
        self.champs = champs
        self.fichiers = fichiers
    }

    /// `multipart/form-data; boundary=…` → the boundary (quoted or not).
    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    /// Parses the parts between the `--boundary` lines; nil when the body is not such a form.
    init?(body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard var position = Self.find(delimiter, in: body, from: 0) else { return nil }
        position += delimiter.count
        var values: [String: String] = [:]
        var multiples: [String: [String]] = [:]
        var fichiers: [String: Fichier] = [:]
        while true {
            // After a delimiter: `--` ends the body, CRLF starts a part.
            if body.count >= position + 2, body[position] == 45, body[position + 1] == 45 { break }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else { return nil }
            position += 2
            guard let headersEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: position) else { return nil }
            let headers = String(decoding: body[position..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let contentEnd = Self.find(separator, in: body, from: contentStart) else { return nil }
            let content = Array(body[contentStart..<contentEnd])
            position = contentEnd + separator.count

            var name: String?
            var filename: String?
            for line in headers.split(separator: "\r\n") {
                let header = line.split(separator: ":", maxSplits: 1)
                guard header.count == 2, header[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition" else { continue }
                name = Self.parameter("name", in: String(header[1]))
                filename = Self.parameter("filename", in: String(header[1]))
            }
            guard let name else { continue }
            if let filename {
                // An empty file input still sends a part, without a name nor content.
                if !(filename.isEmpty && content.isEmpty) && fichiers[name] == nil {
                    fichiers[name] = Fichier(nom: filename, octets: content)
                }
            } else {
                let value = String(decoding: content, as: UTF8.self)
                multiples[name, default: []].append(value)
                if values[name] == nil { values[name] = value }
            }
        }
        self.init(champs: WebForm(values: values, multiples: multiples), fichiers: fichiers)
    }

    /// `name="value"` in a header's parameters (quotes and `\"` escapes of browsers).
    static func parameter(_ key: String, in header: String) -> String? {
        var rest = Substring(header)
        while let range = rest.range(of: "\(key)=") {
            let before = rest[..<range.lowerBound].last
            rest = rest[range.upperBound...]
            guard before == nil || before == ";" || before == " " else { continue }
            if rest.first == "\"" {
                var value = ""
                var index = rest.index(after: rest.startIndex)
                while index < rest.endIndex, rest[index] != "\"" {
                    if rest[index] == "\\", rest.index(after: index) < rest.endIndex { index = rest.index(after: index) }
                    value.append(rest[index])
                    index = rest.index(after: index)
                }
                return value
            }
            return String(rest.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matches = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matches = false
                    break
                }
                if matches { return index }
            }
            index += 1
        }
        return nil
    }
}
