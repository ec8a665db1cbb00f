import Domain
import Testing

@Suite("INE")
struct INETests {
    @Test("each of the three shapes is valid", arguments: [
        ("123456789AB", INE.Forme.actuelle),
        ("000000000ZZ", .actuelle),
        ("1234567890A", .ancienne),
        ("0000000000Z", .ancienne),
        ("1234A56789B", .apprenti),
        ("0000A00000A", .apprenti),
    ])
    func formesValides(texte: String, forme: INE.Forme) throws {
        let ine = try INE(texte)
        #expect(ine.value == texte)
        #expect(ine.forme == forme)
        #expect(ine.description == texte)
    }

    @Test("lowercase is uppercased, white space trimmed")
    func normalisation() throws {
        #expect(try INE("123456789ab").value == "123456789AB")
        #expect(try INE("1234567890a").value == "1234567890A")
        let apprenti = try INE(" 1234a56789b\n")
        #expect(apprenti.value == "1234A56789B")
        #expect(apprenti.forme == .apprenti)
    }

    @Test("11 characters of a wrong shape are rejected", arguments: [
        "12345678901",  // 11 digits
        "ABCDEFGHJKL",  // 11 letters
        "12345678ABC",  // 8 digits + 3 letters
        "123456789A1",  // letter then digit
        "A23456789BC",  // letter first
        "1234B56789C",  // apprentice shape with B instead of A
        "12345A6789B",  // A at the wrong place
        "1234A5678BC",  // apprentice shape with 4 digits after A
        "1234A567891",  // apprentice shape ending with a digit
        "123456789 A",  // space inside
        "123456789-A",
        "123456789ÉA",  // accented letter
        "12345678９AB",  // full-width digit
        "٠١٢٣٤٥٦٧٨AB",  // Arabic-Indic digits
    ])
    func mauvaiseForme(texte: String) {
        let erreur = #expect(throws: DomainError.self) { try INE(texte) }
        #expect(erreur?.code == "ine.format")
        #expect(erreur?.message.contains("9 chiffres et 2 lettres, 10 chiffres et 1 lettre") == true)
        #expect(erreur?.message.contains("4 chiffres, la lettre A, 5 chiffres et 1 lettre") == true)
    }

    @Test("other lengths are rejected", arguments: [
        "", "  ", "123456789A", "123456789ABC", "12345678901AB", "1234567890", "123456789ß",
    ])
    func mauvaiseLongueur(texte: String) {
        let erreur = #expect(throws: DomainError.self) { try INE(texte) }
        #expect(erreur?.code == "ine.format")
    }

    @Test("the message names the value and its length")
    func message() {
        let erreur = #expect(throws: DomainError.self) { try INE("123456789ABC") }
        #expect(erreur?.message.hasPrefix("INE « 123456789ABC » invalide : 12 caractères reçus") == true)
        let vide = #expect(throws: DomainError.self) { try INE("") }
        #expect(vide?.message.hasPrefix("INE vide") == true)
    }

    @Test("shape labels are French")
    func libelles() {
        #expect(INE.Forme.actuelle.libelle == "9 chiffres et 2 lettres")
        #expect(INE.Forme.ancienne.libelle == "10 chiffres et 1 lettre")
        #expect(INE.Forme.apprenti.libelle.contains("apprenti"))
        #expect(INE.Forme.allCases.count == 3)
    }

    @Test("JSON: a single string, round trip; bad ones fail")
    func json() throws {
        let boite = Boite(v: try INE("1234A56789B"))
        let texte = try enJSON(boite)
        #expect(texte == #"{"v":"1234A56789B"}"#)
        let relu = try depuisJSON(Boite<INE>.self, texte)
        #expect(relu == boite)
        #expect(relu.v.forme == .apprenti)

        let erreur = #expect(throws: DecodingError.self) {
            try depuisJSON(Boite<INE>.self, #"{"v":"12345678901"}"#)
        }
        #expect(messageDeDonneesCorrompues(erreur)?.hasPrefix("INE « 12345678901 » invalide") == true)
    }
}
