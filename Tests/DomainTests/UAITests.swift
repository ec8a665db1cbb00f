import Domain
import Testing

@Suite("UAI")
struct UAITests {
    static let lettres = Array("ABCDEFGHJKLMNPRSTUVWXYZ")

    @Test("the documented example 0750655E is valid")
    func exemple() throws {
        let uai = try UAI("0750655E")
        #expect(uai.value == "0750655E")
        #expect(uai.description == "0750655E")
        #expect(UAI.checkLetter(for: "0750655") == "E")
    }

    @Test("n mod 23 reaches every one of the 23 letters, in order", arguments: 0..<23)
    func toutesLesLettres(n: Int) throws {
        let chiffres = (n < 10 ? "000000" : "00000") + String(n)
        let attendue = Self.lettres[n]
        #expect(UAI.checkLetter(for: chiffres) == attendue)
        #expect(try UAI(chiffres + String(attendue)).value == chiffres + String(attendue))
    }

    @Test("boundary values of the modulus", arguments: [
        ("0000000", "A"), ("0000022", "Z"), ("0000023", "A"), ("0000046", "A"),
        ("0000024", "B"), ("9999999", "P"), ("0751717", "J"),
    ] as [(String, Character)])
    func bornes(chiffres: String, lettre: Character) throws {
        #expect(UAI.checkLetter(for: chiffres) == lettre)
        #expect(try UAI(chiffres + String(lettre)).value == chiffres + String(lettre))
    }

    @Test("I, O and Q are never check letters")
    func jamaisIOQ() {
        var vues = Set<Character>()
        for n in stride(from: 0, to: 10_000_000, by: 9_973) {
            let chiffres = String(repeating: "0", count: 7 - String(n).count) + String(n)
            if let lettre = UAI.checkLetter(for: chiffres) { vues.insert(lettre) }
        }
        #expect(vues == Set(Self.lettres))
        #expect(vues.isDisjoint(with: ["I", "O", "Q"]))
        for lettre in ["I", "O", "Q", "i", "o", "q"] {
            let erreur = #expect(throws: DomainError.self) { try UAI("0750655" + lettre) }
            #expect(erreur?.code == "uai.lettre_cle")
            #expect(erreur?.message.contains("la lettre clé attendue est E") == true)
        }
    }

    @Test("a wrong check letter names the expected one")
    func mauvaiseLettre() {
        let erreur = #expect(throws: DomainError.self) { try UAI("0750655F") }
        #expect(erreur?.code == "uai.lettre_cle")
        #expect(erreur?.message == "UAI 0750655F invalide : la lettre clé attendue est E.")

        let autre = #expect(throws: DomainError.self) { try UAI("0000022A") }
        #expect(autre?.code == "uai.lettre_cle")
        #expect(autre?.message == "UAI 0000022A invalide : la lettre clé attendue est Z.")
    }

    @Test("wrong lengths are format errors", arguments: [
        "", "   ", "E", "075065E", "07506E", "0750655", "07506550E", "00750655E", "0750655EE",
    ])
    func longueurs(texte: String) {
        let erreur = #expect(throws: DomainError.self) { try UAI(texte) }
        #expect(erreur?.code == "uai.format")
        #expect(erreur?.message.contains("7 chiffres suivis d'une lettre clé") == true)
    }

    @Test("the length message gives the count received")
    func messageLongueur() {
        let erreur = #expect(throws: DomainError.self) { try UAI("075065E") }
        #expect(erreur?.message.contains("« 075065E »") == true)
        #expect(erreur?.message.contains("8 caractères attendus, 7 reçus") == true)
    }

    @Test("non-digits in the first seven characters are format errors", arguments: [
        "07506S5E",  // letter among the digits
        "O750655E",  // capital O for zero
        "075065 E",  // space inside
        "0750-55E",
        "+750655E",
        "٠٧٥٠٦٥٥E",  // Arabic-Indic digits
        "０７５０６５５E",  // full-width digits
    ])
    func pasDesChiffres(texte: String) {
        let erreur = #expect(throws: DomainError.self) { try UAI(texte) }
        #expect(erreur?.code == "uai.format")
        #expect(erreur?.message.contains("7 premiers caractères doivent être des chiffres") == true)
    }

    @Test("the eighth character must be a letter", arguments: ["07506554", "0750655-", "0750655é", "0750655Ｅ"])
    func huitiemePasUneLettre(texte: String) {
        let erreur = #expect(throws: DomainError.self) { try UAI(texte) }
        #expect(erreur?.code == "uai.format")
        #expect(erreur?.message.contains("la lettre clé attendue est E") == true)
    }

    @Test("a lowercase letter is accepted and stored uppercase, white space trimmed")
    func normalisation() throws {
        #expect(try UAI("0750655e").value == "0750655E")
        #expect(try UAI("  0750655E\n").value == "0750655E")
        #expect(try UAI("\t0750655e ") == UAI("0750655E"))
    }

    @Test("checkLetter wants exactly seven ASCII digits", arguments: ["", "075065", "07506555", "07506a5", "075 655", "٠٧٥٠٦٥٥"])
    func checkLetterRefuse(texte: String) {
        #expect(UAI.checkLetter(for: texte) == nil)
    }

    @Test("JSON: a single string, round trip")
    func jsonAllerRetour() throws {
        let boite = Boite(v: try UAI("0750655E"))
        let texte = try enJSON(boite)
        #expect(texte == #"{"v":"0750655E"}"#)
        #expect(try depuisJSON(Boite<UAI>.self, texte) == boite)
        #expect(try depuisJSON(Boite<UAI>.self, #"{"v":"0750655e"}"#).v.value == "0750655E")
    }

    @Test("JSON: decoding a bad UAI fails with the French message")
    func jsonInvalide() {
        let erreur = #expect(throws: DecodingError.self) {
            try depuisJSON(Boite<UAI>.self, #"{"v":"0750655F"}"#)
        }
        #expect(messageDeDonneesCorrompues(erreur) == "UAI 0750655F invalide : la lettre clé attendue est E.")

        #expect(throws: DecodingError.self) { try depuisJSON(Boite<UAI>.self, #"{"v":"075"}"#) }
        #expect(throws: DecodingError.self) { try depuisJSON(Boite<UAI>.self, #"{"v":750655}"#) }
    }
}
