import Domain
import Testing

@Suite("Note")
struct NoteTests {
    // MARK: Parsing values

    @Test("valid grades give exact hundredths (default step 0.25)", arguments: [
        ("12,5", 1250), ("12.50", 1250), ("12", 1200), (" 7,25 ", 725), ("0", 0), ("20", 2000),
        ("20,00", 2000), ("20.0", 2000), ("0,00", 0), ("0.25", 25), ("07,75", 775), ("19,75", 1975),
        ("00012,5", 1250), ("\u{00A0}8,5\t", 850), ("\n15.25\r\n", 1525),
    ])
    func valeursValides(texte: String, centiemes: Int) throws {
        let note = try Note.parse(texte)
        #expect(note.centiemes == centiemes)
        #expect(note == (try Note(centiemes: centiemes)))
    }

    @Test("codes are read in any case", arguments: [
        ("ABS", Note.absent), ("abs", .absent), ("Abs", .absent), (" aBs ", .absent),
        ("ABJ", .absentJustifie), ("abj", .absentJustifie),
        ("DI", .dispense), ("di", .dispense), ("Di", .dispense),
        ("NN", .nonSaisie), ("nn", .nonSaisie), ("\tNn\n", .nonSaisie),
    ])
    func codes(texte: String, attendue: Note) throws {
        #expect(try Note.parse(texte) == attendue)
        #expect(try Note.parse(texte, pas: .point) == attendue)
    }

    // MARK: Parsing errors

    @Test("invalid inputs give a stable error code", arguments: [
        // out of the scale
        ("20.01", "note.hors_bareme"), ("20,25", "note.hors_bareme"), ("21", "note.hors_bareme"),
        ("100", "note.hors_bareme"), ("99999999999999999999999999", "note.hors_bareme"),
        ("-1", "note.hors_bareme"), ("-0,5", "note.hors_bareme"), ("-0", "note.hors_bareme"),
        // off the 0.25 step
        ("12.3", "note.pas"), ("12,1", "note.pas"), ("12,01", "note.pas"), ("19,99", "note.pas"),
        // precision
        ("12,555", "note.decimales"), ("0,001", "note.decimales"), ("12,500", "note.decimales"),
        // nothing
        ("", "note.vide"), ("   ", "note.vide"), ("\n\t", "note.vide"),
        // shape
        ("ABSENT", "note.format"), ("absent", "note.format"), ("A", "note.format"), ("ABSS", "note.format"),
        ("1e1", "note.format"), ("1E1", "note.format"), ("+5", "note.format"), ("12,5,0", "note.format"),
        ("12.5.0", "note.format"), ("12,", "note.format"), (",5", "note.format"), (".5", "note.format"),
        ("12 5", "note.format"), ("12 ,5", "note.format"), ("12;5", "note.format"), ("NaN", "note.format"),
        ("nan", "note.format"), ("inf", "note.format"), ("-inf", "note.format"), ("0x10", "note.format"),
        ("douze", "note.format"), ("12,5 ABS", "note.format"), ("--1", "note.format"), ("-", "note.format"),
        ("½", "note.format"), ("١٢", "note.format"), ("１２", "note.format"), ("12/20", "note.format"),
        ("1_2", "note.format"), ("12,5\u{0301}", "note.format"),
    ])
    func invalides(texte: String, code: String) {
        let erreur = #expect(throws: DomainError.self) { try Note.parse(texte) }
        #expect(erreur?.code == code)
        #expect(erreur?.message.isEmpty == false)
    }

    @Test("messages are French and name the rejected value")
    func messages() {
        func message(_ texte: String, pas: PasDeNotation = .quart) -> String? {
            do {
                _ = try Note.parse(texte, pas: pas)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message("12.3") == "Note « 12.3 » invalide : le pas de notation de l'épreuve est de 0,25 point ; "
            + "valeurs voisines permises : 12,25 ou 12,50.")
        #expect(message("20.01") == "Note « 20.01 » invalide : une note est comprise entre 0 et 20.")
        #expect(message("-1") == "Note « -1 » invalide : une note ne peut pas être négative.")
        #expect(message("12,555") == "Note « 12,555 » invalide : au plus deux décimales sont permises.")
        #expect(message("ABSENT")?.contains("code inconnu") == true)
        #expect(message("ABSENT")?.contains("ABS (absent), ABJ (absent justifié), DI (dispensé) et NN (non saisie)") == true)
        #expect(message("+5")?.hasPrefix("Note « +5 » invalide : écrivez un nombre entre 0 et 20") == true)
        #expect(message("")?.hasPrefix("Note vide") == true)
        #expect(message("12,25", pas: .demi)?.contains("0,5 point ; valeurs voisines permises : 12,00 ou 12,50") == true)
        #expect(message("19,5", pas: .point)?.contains("1 point ; valeurs voisines permises : 19,00 ou 20,00") == true)
        let long = String(repeating: "9", count: 200) + "x"
        #expect((message(long)?.count ?? 1000) < 300)
    }

    // MARK: Steps

    @Test("the 0.5 step (CCF) accepts half points only", arguments: [
        ("12.5", 1250), ("12", 1200), ("0,5", 50), ("20", 2000), ("19,50", 1950),
    ])
    func pasDemiAccepte(texte: String, centiemes: Int) throws {
        #expect(try Note.parse(texte, pas: .demi).centiemes == centiemes)
    }

    @Test("the 0.5 step (CCF) rejects quarters", arguments: ["12.25", "12,75", "0,1", "19,99"])
    func pasDemiRefuse(texte: String) {
        let erreur = #expect(throws: DomainError.self) { try Note.parse(texte, pas: .demi) }
        #expect(erreur?.code == "note.pas")
        #expect(erreur?.message.contains("0,5 point") == true)
    }

    @Test("other steps")
    func autresPas() throws {
        #expect(try Note.parse("12.37", pas: .centieme).centiemes == 1237)
        #expect(try Note.parse("12.3", pas: .centieme).centiemes == 1230)
        #expect(try Note.parse("13", pas: .point).centiemes == 1300)
        #expect((#expect(throws: DomainError.self) { try Note.parse("12.5", pas: .point) })?.code == "note.pas")
        let deuxPoints = try PasDeNotation(centiemes: 200)
        #expect(try Note.parse("14", pas: deuxPoints).centiemes == 1400)
        let erreur = #expect(throws: DomainError.self) { try Note.parse("13", pas: deuxPoints) }
        #expect(erreur?.message.contains("2 points ; valeurs voisines permises : 12,00 ou 14,00") == true)
    }

    @Test("the scale is checked before the step")
    func baremeAvantPas() {
        let erreur = #expect(throws: DomainError.self) { try Note.parse("20.1", pas: .quart) }
        #expect(erreur?.code == "note.hors_bareme")
    }

    @Test("respecte tells whether a note fits a step; codes always do")
    func respecte() throws {
        let note = try Note(centiemes: 1225)
        #expect(note.respecte(.quart))
        #expect(!note.respecte(.demi))
        #expect(note.respecte(.centieme))
        #expect(Note.absent.respecte(.point))
        #expect(Note.nonSaisie.respecte(.demi))
    }

    // MARK: init(centiemes:)

    @Test("init(centiemes:) checks the scale and the optional step")
    func initCentiemes() throws {
        #expect(try Note(centiemes: 0) == .valeur(.minimum))
        #expect(try Note(centiemes: 2000) == .valeur(.maximum))
        #expect(try Note(centiemes: 1237).centiemes == 1237)
        #expect(try Note(centiemes: 1250, pas: .demi).centiemes == 1250)
        for valeur in [-1, 2001, Int.min, Int.max] {
            let erreur = #expect(throws: DomainError.self) { try Note(centiemes: valeur) }
            #expect(erreur?.code == "note.hors_bareme")
        }
        let horsBareme = #expect(throws: DomainError.self) { try Note(centiemes: 2001) }
        #expect(horsBareme?.message == "Note 20,01 invalide : une note est comprise entre 0 et 20.")
        let pas = #expect(throws: DomainError.self) { try Note(centiemes: 1230, pas: .quart) }
        #expect(pas?.code == "note.pas")
        #expect(pas?.message.contains("12,25 ou 12,50") == true)
    }

    // MARK: Properties

    @Test("centiemes, code, estSaisie, affichage and libelle", arguments: [
        (Note.absent, nil, "ABS", true, "ABS", "absent"),
        (.absentJustifie, nil, "ABJ", true, "ABJ", "absent justifié"),
        (.dispense, nil, "DI", true, "DI", "dispensé"),
        (.nonSaisie, nil, "NN", false, "NN", "non saisie"),
    ] as [(Note, Int?, String?, Bool, String, String)])
    func proprietesDesCodes(note: Note, centiemes: Int?, code: String?, saisie: Bool, affichage: String, libelle: String) {
        #expect(note.centiemes == centiemes)
        #expect(note.code == code)
        #expect(note.estSaisie == saisie)
        #expect(note.affichage == affichage)
        #expect(note.description == affichage)
        #expect(note.libelle == libelle)
        #expect(note.canonique == code)
    }

    @Test("a value is entered, has no code, and is written the French way", arguments: [
        (1250, "12,50", "12.50"), (0, "0,00", "0.00"), (2000, "20,00", "20.00"), (725, "7,25", "7.25"),
        (5, "0,05", "0.05"), (1001, "10,01", "10.01"),
    ])
    func proprietesDesValeurs(centiemes: Int, affichage: String, canonique: String) throws {
        let note = try Note(centiemes: centiemes)
        #expect(note.centiemes == centiemes)
        #expect(note.code == nil)
        #expect(note.estSaisie)
        #expect(note.affichage == affichage)
        #expect(note.description == affichage)
        #expect(note.libelle == affichage)
        #expect(note.canonique == canonique)
    }

    @Test("a zero is a grade, not an absence")
    func zeroNEstPasUneAbsence() throws {
        let zero = try Note.parse("0")
        #expect(zero != .absent)
        #expect(zero != .absentJustifie)
        #expect(Note.absent.centiemes == nil)
    }

    // MARK: JSON

    @Test("JSON: canonical strings, round trip")
    func jsonAllerRetour() throws {
        let notes: [Note] = [
            try Note(centiemes: 1250), try Note(centiemes: 0), try Note(centiemes: 2000),
            try Note(centiemes: 725), try Note(centiemes: 1237), .absent, .absentJustifie, .dispense, .nonSaisie,
        ]
        let texte = try enJSON(notes)
        #expect(texte == #"["12.50","0.00","20.00","7.25","12.37","ABS","ABJ","DI","NN"]"#)
        #expect(try depuisJSON([Note].self, texte) == notes)
    }

    @Test("JSON: only the canonical form decodes", arguments: [
        #""12,50""#, #""12.5""#, #""12""#, #""012.50""#, #""abs""#, #""Abs""#, #"" 12.50""#, #""20.01""#,
        #""-1.00""#, #""""#, #""ABSENT""#, #""12.555""#, "1250", "12.5", "null",
    ])
    func jsonNonCanonique(valeur: String) {
        #expect(throws: DecodingError.self) { try depuisJSON(Boite<Note>.self, #"{"v":"# + valeur + "}") }
    }

    @Test("JSON: the decoding error carries the French message")
    func jsonMessage() {
        let horsBareme = #expect(throws: DecodingError.self) { try depuisJSON(Boite<Note>.self, #"{"v":"20.01"}"#) }
        #expect(messageDeDonneesCorrompues(horsBareme) == "Note « 20.01 » invalide : une note est comprise entre 0 et 20.")
        let virgule = #expect(throws: DecodingError.self) { try depuisJSON(Boite<Note>.self, #"{"v":"12,5"}"#) }
        #expect(messageDeDonneesCorrompues(virgule)?.contains("forme canonique attendue (12.50)") == true)
    }
}

@Suite("Centiemes")
struct CentiemesTests {
    @Test("range 0...2000, ordered, written both ways")
    func bornesEtEcriture() throws {
        #expect(try Centiemes(0) == .minimum)
        #expect(try Centiemes(2000) == .maximum)
        #expect(try Centiemes(999) < Centiemes(1000))
        #expect(try Centiemes(1250).affichage == "12,50")
        #expect(try Centiemes(1250).canonique == "12.50")
        #expect(try Centiemes(1250).description == "12,50")
        #expect((#expect(throws: DomainError.self) { try Centiemes(-1) })?.code == "note.hors_bareme")
        #expect((#expect(throws: DomainError.self) { try Centiemes(2001) })?.code == "note.hors_bareme")
    }

    @Test("JSON: an integer, validated")
    func json() throws {
        #expect(try enJSON(Boite(v: try Centiemes(1250))) == #"{"v":1250}"#)
        #expect(try depuisJSON(Boite<Centiemes>.self, #"{"v":725}"#).v.valeur == 725)
        #expect(throws: DecodingError.self) { try depuisJSON(Boite<Centiemes>.self, #"{"v":2001}"#) }
        #expect(throws: DecodingError.self) { try depuisJSON(Boite<Centiemes>.self, #"{"v":12.5}"#) }
    }
}

@Suite("PasDeNotation")
struct PasDeNotationTests {
    @Test("named steps", arguments: [
        (PasDeNotation.centieme, 1, "0,01"), (.quart, 25, "0,25"), (.demi, 50, "0,5"), (.point, 100, "1"),
    ])
    func pasNommes(pas: PasDeNotation, centiemes: Int, affichage: String) throws {
        #expect(pas.centiemes == centiemes)
        #expect(pas.affichage == affichage)
        #expect(pas.description == affichage)
        #expect(try PasDeNotation(centiemes: centiemes) == pas)
    }

    @Test("valid steps divide 2000", arguments: [
        (1, "0,01"), (10, "0,1"), (20, "0,2"), (125, "1,25"), (200, "2"), (250, "2,5"), (2000, "20"),
    ])
    func pasValides(centiemes: Int, affichage: String) throws {
        #expect(try PasDeNotation(centiemes: centiemes).affichage == affichage)
    }

    @Test("invalid steps are rejected", arguments: [0, -25, 3, 7, 30, 33, 150, 2001, 4000, Int.min])
    func pasInvalides(centiemes: Int) {
        let erreur = #expect(throws: DomainError.self) { try PasDeNotation(centiemes: centiemes) }
        #expect(erreur?.code == "pas.invalide")
        #expect(erreur?.message.contains("diviser 20 points exactement") == true)
    }

    @Test("JSON: hundredths as an integer, validated")
    func json() throws {
        #expect(try enJSON(Boite(v: PasDeNotation.quart)) == #"{"v":25}"#)
        #expect(try depuisJSON(Boite<PasDeNotation>.self, #"{"v":50}"#).v == .demi)
        #expect(throws: DecodingError.self) { try depuisJSON(Boite<PasDeNotation>.self, #"{"v":30}"#) }
    }
}
