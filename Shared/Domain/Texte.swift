// Small text helpers shared by the value types. ASCII only on purpose: identifiers and grades
// are ASCII, and Unicode case mapping or digits ("ß" → "SS", "١٢") must never sneak a value in.

extension String {
    /// The string without leading and trailing white space (Unicode white space, so a
    /// non-breaking space pasted from a spreadsheet is removed too).
    var sansBlancsAutour: String {
        guard let debut = firstIndex(where: { !$0.isWhitespace }),
              let fin = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[debut...fin])
    }

    /// ASCII letters a–z turned into A–Z; every other character kept as it is.
    var majusculesASCII: String {
        String(map { c -> Character in
            if let a = c.asciiValue, (97...122).contains(a) {
                return Character(Unicode.Scalar(a - 32))
            }
            return c
        })
    }
}

extension Character {
    /// 0...9 for an ASCII digit, nil otherwise (other scripts' digits included).
    var chiffreASCII: Int? {
        guard let a = asciiValue, (48...57).contains(a), unicodeScalars.count == 1 else { return nil }
        return Int(a - 48)
    }

    /// True for A–Z only.
    var estMajusculeASCII: Bool {
        guard let a = asciiValue, unicodeScalars.count == 1 else { return false }
        return (65...90).contains(a)
    }
}

/// A rejected value quoted for a message: « … », cut if very long.
func citation(_ texte: String) -> String {
    let limite = 40
    let court = texte.count > limite ? String(texte.prefix(limite)) + "…" : texte
    return "« \(court) »"
}

/// Hundredths written with two decimals: 1250 → "12,50" (or "12.50" with `separateur: "."`).
func ecrireCentiemes(_ valeur: Int, separateur: Character) -> String {
    let signe = valeur < 0 ? "-" : ""
    let absolu = valeur.magnitude
    let entier = absolu / 100
    let decimales = absolu % 100
    return signe + String(entier) + String(separateur) + (decimales < 10 ? "0" : "") + String(decimales)
}
