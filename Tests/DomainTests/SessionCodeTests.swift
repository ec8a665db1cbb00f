import Domain
import Testing

@Suite("SessionCode")
struct SessionCodeTests {
    @Test("valid codes", arguments: [
        ("BP-2027-06-N", 2027, 6, SessionCode.Nature.normale, "BP-2027-06-N"),
        ("BP-2027-09-R", 2027, 9, .remplacement, "BP-2027-09-R"),
        ("BP-2028-04-V", 2028, 4, .vae, "BP-2028-04-V"),
        ("BP-2000-01-N", 2000, 1, .normale, "BP-2000-01-N"),
        ("BP-2099-12-R", 2099, 12, .remplacement, "BP-2099-12-R"),
        ("bp-2027-06-n", 2027, 6, .normale, "BP-2027-06-N"),
        (" Bp-2027-10-v\n", 2027, 10, .vae, "BP-2027-10-V"),
    ])
    func valides(texte: String, annee: Int, mois: Int, nature: SessionCode.Nature, normalise: String) throws {
        let session = try SessionCode(texte)
        #expect(session.annee == annee)
        #expect(session.mois == mois)
        #expect(session.nature == nature)
        #expect(session.value == normalise)
        #expect(session.description == normalise)
        #expect(try SessionCode(annee: annee, mois: mois, nature: nature) == session)
    }

    @Test("invalid codes give a stable error code", arguments: [
        ("BP-2027-13-N", "session.mois"), ("BP-2027-00-N", "session.mois"), ("BP-2027-99-N", "session.mois"),
        ("BP-1999-06-N", "session.annee"), ("BP-2100-06-N", "session.annee"), ("BP-0000-06-N", "session.annee"),
        ("BP-2027-06-X", "session.nature"), ("BP-2027-06-NR", "session.nature"), ("BP-2027-06-1", "session.nature"),
        ("BP-2027-06-É", "session.nature"),
        ("", "session.format"), ("  ", "session.format"), ("BP", "session.format"), ("BP-2027", "session.format"),
        ("BP-2027-06", "session.format"), ("BP-2027-06-", "session.format"), ("2027-06-N", "session.format"),
        ("CAP-2027-06-N", "session.format"), ("BP-2027-6-N", "session.format"), ("BP-27-06-N", "session.format"),
        ("BP-02027-06-N", "session.format"), ("BP-2027-006-N", "session.format"), ("BP-2027-06-N-1", "session.format"),
        ("BP--2027-06-N", "session.format"), ("BP_2027_06_N", "session.format"), ("BP 2027 06 N", "session.format"),
        ("BP-20A7-06-N", "session.format"), ("BP-2027-+6-N", "session.format"), ("BP-٢٠٢٧-06-N", "session.format"),
        ("BP-2027-06 -N", "session.format"),
    ])
    func invalides(texte: String, code: String) {
        let erreur = #expect(throws: DomainError.self) { try SessionCode(texte) }
        #expect(erreur?.code == code)
    }

    @Test("messages are French and name the value")
    func messages() {
        let mois = #expect(throws: DomainError.self) { try SessionCode("BP-2027-13-N") }
        #expect(mois?.message == "Code de session « BP-2027-13-N » invalide : le mois 13 doit être compris entre 01 et 12.")
        let annee = #expect(throws: DomainError.self) { try SessionCode("BP-1999-06-N") }
        #expect(annee?.message == "Code de session « BP-1999-06-N » invalide : l'année 1999 doit être comprise entre 2000 et 2099.")
        let nature = #expect(throws: DomainError.self) { try SessionCode("BP-2027-06-X") }
        #expect(nature?.message.contains("nature « X » inconnue ; N (normale), R (remplacement) ou V (VAE) attendu") == true)
        let format = #expect(throws: DomainError.self) { try SessionCode("BP-2027-06") }
        #expect(format?.message.hasPrefix("Code de session « BP-2027-06 » invalide : le format attendu est BP-AAAA-MM-N") == true)
        let vide = #expect(throws: DomainError.self) { try SessionCode("") }
        #expect(vide?.message.hasPrefix("Code de session vide") == true)
    }

    @Test("init(annee:mois:nature:) validates")
    func initParties() throws {
        #expect(try SessionCode(annee: 2027, mois: 9, nature: .remplacement).value == "BP-2027-09-R")
        #expect((#expect(throws: DomainError.self) { try SessionCode(annee: 2027, mois: 13, nature: .normale) })?.code == "session.mois")
        #expect((#expect(throws: DomainError.self) { try SessionCode(annee: 2027, mois: 0, nature: .normale) })?.code == "session.mois")
        #expect((#expect(throws: DomainError.self) { try SessionCode(annee: 1999, mois: 6, nature: .vae) })?.code == "session.annee")
        #expect((#expect(throws: DomainError.self) { try SessionCode(annee: 2100, mois: 6, nature: .vae) })?.code == "session.annee")
        let erreur = #expect(throws: DomainError.self) { try SessionCode(annee: 2027, mois: 13, nature: .normale) }
        #expect(erreur?.message == "Session invalide : le mois 13 doit être compris entre 01 et 12.")
    }

    @Test("natures: letters and French labels", arguments: [
        (SessionCode.Nature.normale, "N", "session normale"),
        (.remplacement, "R", "session de remplacement"),
        (.vae, "V", "session VAE"),
    ] as [(SessionCode.Nature, Character, String)])
    func natures(nature: SessionCode.Nature, lettre: Character, libelle: String) {
        #expect(nature.lettre == lettre)
        #expect(nature.libelle == libelle)
        #expect(SessionCode.Nature(lettre: lettre) == nature)
    }

    @Test("unknown nature letters")
    func lettresInconnues() {
        #expect(SessionCode.Nature(lettre: "X") == nil)
        #expect(SessionCode.Nature(lettre: "n") == nil)
        #expect(SessionCode.Nature.allCases.count == 3)
    }

    @Test("French label of a session")
    func libelle() throws {
        #expect(try SessionCode("BP-2027-06-N").libelle == "BP, session normale de juin 2027")
        #expect(try SessionCode("BP-2027-09-R").libelle == "BP, session de remplacement de septembre 2027")
        #expect(try SessionCode("BP-2028-04-V").libelle == "BP, session VAE d'avril 2028")
        #expect(try SessionCode("BP-2027-08-N").libelle == "BP, session normale d'août 2027")
    }

    @Test("JSON: a single string, round trip; bad ones fail")
    func json() throws {
        let boite = Boite(v: try SessionCode("BP-2027-06-N"))
        let texte = try enJSON(boite)
        #expect(texte == #"{"v":"BP-2027-06-N"}"#)
        #expect(try depuisJSON(Boite<SessionCode>.self, texte) == boite)
        let erreur = #expect(throws: DecodingError.self) { try depuisJSON(Boite<SessionCode>.self, #"{"v":"BP-2027-13-N"}"#) }
        #expect(messageDeDonneesCorrompues(erreur)?.contains("le mois 13") == true)
        #expect(throws: DecodingError.self) { try depuisJSON(Boite<SessionCode>.self, #"{"v":"BP-2027-06"}"#) }
    }

    @Test("Nature is encoded by its name")
    func natureJSON() throws {
        #expect(try enJSON([SessionCode.Nature.normale, .remplacement, .vae]) == #"["normale","remplacement","vae"]"#)
    }
}
