import Domain
import Testing

@Suite("DomainError")
struct DomainErrorTests {
    @Test("description is the French message, for people")
    func descriptionEstLeMessage() {
        let erreur = DomainError(code: "uai.lettre_cle", message: "UAI 0750655F invalide : la lettre clé attendue est E.")
        #expect(erreur.description == "UAI 0750655F invalide : la lettre clé attendue est E.")
        #expect("\(erreur)" == erreur.message)
    }

    @Test("equality covers code and message")
    func egalite() {
        let a = DomainError(code: "x.y", message: "m")
        #expect(a == DomainError(code: "x.y", message: "m"))
        #expect(a != DomainError(code: "x.z", message: "m"))
        #expect(a != DomainError(code: "x.y", message: "n"))
    }

    @Test("JSON round trip keeps code and message")
    func json() throws {
        let erreur = DomainError(code: "note.pas", message: "Note « 12.3 » invalide.")
        let texte = try enJSON(erreur)
        #expect(texte == #"{"code":"note.pas","message":"Note « 12.3 » invalide."}"#)
        #expect(try depuisJSON(DomainError.self, texte) == erreur)
    }
}
