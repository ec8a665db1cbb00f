// Why a hand-written reader (issue 19, item 8), checked on 2026-12-05: the machine's package
// mirror holds two CSV libraries, swiftcsv/SwiftCSV 0.10.0 and yaslab/CSV.swift 2.5.2, and
// neither gives what the import reports. Fed `a;b⏎"x⏎y";1⏎⏎"q""r";2⏎last;3` (CRLF):
// - line numbers: both return a record's fields only (SwiftCSV `enumerateAsArray`/`rows`,
//   CSV.swift `CSVReader.next() -> [String]?`), never where it starts in the file; the record
//   `"q""r";2` is on line 5 (a quoted cell spans lines 2-3, line 4 is blank) and would have to
//   be found again by counting the line breaks inside the cells returned and the blank lines,
//   i.e. a second reader around the library;
// - blank lines: SwiftCSV returns one as a record of empty cells (`["", ""]`), CSV.swift as
//   `[""]`: the import would report a column-count error where it skips the line today;
// - encodings: CSV.swift reads UTF-8/16/32 only (`UnicodeCodec`), SwiftCSV reads a `String`;
//   ISO-8859-15 (and the UTF-8 BOM) would still be decoded here, by `texte(_:)`.
// So the reader below stays, with its tests (ImportTests) unchanged.

import Foundation

/// Reads CSV as spreadsheets write it (RFC 4180): `;` or `,` separators (guessed from the
/// header), quoted cells with doubled quotes, CRLF or LF, a UTF-8 BOM; ISO-8859-15 accepted when
/// the file is not valid UTF-8.
enum LecteurCSV {
    struct Ligne: Sendable {
        /// 1-based line number in the file (the header is line 1).
        var numero: Int
        var cellules: [String]
    }

    static func texte(_ octets: [UInt8]) -> String {
        var octets = octets[...]
        if octets.starts(with: [0xEF, 0xBB, 0xBF]) { octets = octets.dropFirst(3) }
        if let utf8 = String(validating: octets, as: UTF8.self) { return utf8 }
        // ISO-8859-15 differs from Latin-1 in eight places (€, Š, š, Ž, ž, Œ, œ, Ÿ).
        let differences: [UInt8: Character] = [0xA4: "€", 0xA6: "Š", 0xA8: "š", 0xB4: "Ž", 0xB8: "ž", 0xBC: "Œ", 0xBD: "œ", 0xBE: "Ÿ"]
        return String(octets.map { differences[$0] ?? Character(Unicode.Scalar($0)) })
    }

    static func lignes(_ texte: String) -> [Ligne] {
        let premiere = texte.prefix { $0 != "\n" && $0 != "\r" }
        let separateur: Character = premiere.filter { $0 == ";" }.count >= premiere.filter { $0 == "," }.count ? ";" : ","
        var lignes: [Ligne] = []
        var cellules: [String] = []
        var cellule = ""
        var entreGuillemets = false
        var numero = 1
        var debutLigne = 1
        var precedent: Character?
        var iterateur = texte.makeIterator()
        func finirLigne() {
            cellules.append(cellule)
            if !(cellules.count == 1 && cellules[0].isEmpty) { lignes.append(Ligne(numero: debutLigne, cellules: cellules)) }
            cellules = []
            cellule = ""
        }
        while let c = iterateur.next() {
            if entreGuillemets {
                if c == "\"" {
                    entreGuillemets = false
                } else {
                    if c == "\n" || c == "\r\n" { numero += 1 }
                    cellule.append(c)
                }
            } else {
                switch c {
                case "\"":
                    if precedent == "\"" { cellule.append("\"") }  // a doubled quote inside a quoted cell
                    entreGuillemets = true
                case separateur:
                    cellules.append(cellule)
                    cellule = ""
                case "\n", "\r\n", "\r":
                    finirLigne()
                    numero += 1
                    debutLigne = numero
                default:
                    cellule.append(c)
                }
            }
            precedent = c
        }
        if !cellule.isEmpty || !cellules.isEmpty { finirLigne() }
        return lignes
    }
}
