import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// Papillons through the gateway's public API, with the real Inscription behind it: a papillon is
/// printed only for a numéro Inscription confirms is a candidate of the établissement in a
/// session not closed, and the account it opens reaches that établissement's candidatures only.
@Suite("Gateway papillons: only for the établissement's own candidates")
struct PapillonTests {
    /// A brouillon registered through the gateway by `jeton` (an établissement of `uai`): its id and numéro.
    static func candidature(_ p: Passerelle, _ inscription: InscriptionEnAval, uai: String, jeton: String, nom: String) async throws -> (id: String, numero: String) {
        let corps = Passerelle.json([
            "candidat": [
                "ine": NSNull(), "nomFamille": nom, "prenoms": "Léa", "sexe": "F", "dateNaissance": "2005-03-14", "communeNaissance": "Lyon",
                "adresse": "3 rue des Lilas", "codePostal": "69003", "commune": "Lyon",
            ] as [String: Any],
            "categorie": "apprenti", "uai": uai, "specialite": "COIFFURE", "options": ["U30A"], "facultatives": [String](),
            "forme": "globale", "benefices": [Any](), "dispenses": [Any](),
        ])
        let reponse = try await p.appel(.post, "/api/v1/inscription/sessions/\(inscription.session)/candidatures", jeton: jeton, json: corps)
        guard reponse.status == .created else { throw TestStackError("candidature: \(reponse.status) \(reponse.texte)") }
        let objet = try reponse.objet
        guard let id = objet["id"] as? String, let numero = objet["numero"] as? String else { throw TestStackError("no id: \(reponse.texte)") }
        return (id, numero)
    }

    static func nom() -> String { "Eleve\(UInt32.random(in: 0...UInt32.max))" }

    static func demande(_ uai: String, _ candidats: [(String, String)]) -> String {
        Passerelle.json(["uai": uai, "candidats": candidats.map { ["identifiant": $0.0, "nom": $0.1] }])
    }

    @Test("an établissement asking a papillon for another UAI's numéro (or any identifiant) is refused in French, and nothing is created")
    func autreEtablissementRefuse() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await Passerelle.avec(services: ["inscription": inscription.url]) { p in
                let a = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(inscription.cfa)"]))
                let b = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(inscription.autre)"]))
                let deB = try await Self.candidature(p, inscription, uai: inscription.autre, jeton: b, nom: Self.nom())
                let invente = Passerelle.unique("ine")

                for identifiant in [deB.numero, invente] {
                    let refus = try await p.appel(.post, "/api/v1/papillons", jeton: a, json: Self.demande(inscription.cfa, [(identifiant, "Élève")]))
                    #expect(refus.status == .unprocessableContent, "\(refus.texte)")
                    let probleme = try refus.probleme
                    #expect(probleme.code == "papillon.candidat_inconnu")
                    #expect(probleme.message.contains("n'est pas le numéro candidat d'un candidat de l'établissement \(inscription.cfa)"), "\(probleme.message)")
                    #expect(probleme.details?.map(\.location) == ["candidats[0].identifiant"])
                    #expect(try await p.identity.accounts.credentials(login: identifiant) == nil, "a refused print creates nothing")
                }
                // One unknown among good ones: nothing printed at all.
                let deA = try await Self.candidature(p, inscription, uai: inscription.cfa, jeton: a, nom: Self.nom())
                let melange = try await p.appel(.post, "/api/v1/papillons", jeton: a,
                                                json: Self.demande(inscription.cfa, [(deA.numero, "A"), (deB.numero, "B")]))
                #expect(melange.status == .unprocessableContent)
                #expect(try melange.probleme.details?.map(\.location) == ["candidats[1].identifiant"])
                #expect(try await p.identity.accounts.credentials(login: deA.numero) == nil)
                // Naming the other UAI is refused before Inscription is even asked.
                let autreUAI = try await p.appel(.post, "/api/v1/papillons", jeton: a, json: Self.demande(inscription.autre, [(deB.numero, "B")]))
                #expect(autreUAI.status == .forbidden)
                #expect(try await p.identity.accounts.credentials(login: deB.numero) == nil)
                // The gestionnaire prints for B's own UAI.
                let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
                let imprime = try await p.appel(.post, "/api/v1/papillons", jeton: gestionnaire, json: Self.demande(inscription.autre, [(deB.numero, "B")]))
                #expect(imprime.status == .ok, "\(imprime.texte)")
                let compte = try #require(try await p.identity.accounts.credentials(login: deB.numero)?.account)
                #expect(Set(compte.scopes) == ["candidat:\(deB.numero)", "uai:\(inscription.autre)"])
            }
        }
    }

    @Test("papillons: printed for the établissement's candidates with Inscription's names, each activates once; the account reads its own candidature and no other")
    func papillonLegitime() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await Passerelle.avec(services: ["inscription": inscription.url]) { p in
                let a = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(inscription.cfa)"]))
                let b = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(inscription.autre)"]))
                let (nom1, nom2) = (Self.nom(), Self.nom())
                let un = try await Self.candidature(p, inscription, uai: inscription.cfa, jeton: a, nom: nom1)
                let deux = try await Self.candidature(p, inscription, uai: inscription.cfa, jeton: a, nom: nom2)
                let ailleurs = try await Self.candidature(p, inscription, uai: inscription.autre, jeton: b, nom: Self.nom())

                let demande = Self.demande(inscription.cfa, [(un.numero, "typed name"), (deux.numero, "typed name")])
                let imprime = try await p.appel(.post, "/api/v1/papillons", jeton: a, json: demande)
                #expect(imprime.status == .ok, "\(imprime.texte)")
                let papillons = try imprime.json(PageDe<IdentityService.Papillon>.self).items
                #expect(papillons.map(\.identifiant) == [un.numero, deux.numero])
                #expect(papillons.map(\.nom) == ["\(nom1.uppercased()) Léa", "\(nom2.uppercased()) Léa"], "the name Inscription holds")
                #expect(papillons.allSatisfy { $0.code.wholeMatch(of: /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/) != nil })

                // The other candidate's code does not open this account; typed as people type it, his own does.
                let croise = try await p.appel(.post, "/api/v1/auth/activation-papillon", json: Passerelle.json(
                    ["identifiant": un.numero, "code": papillons[1].code, "motDePasse": Passerelle.motDePasse]))
                #expect(try croise.probleme.code == "lien.invalide")
                let tape = papillons[0].code.lowercased().replacingOccurrences(of: "-", with: " ")
                let active = try await p.appel(.post, "/api/v1/auth/activation-papillon", json: Passerelle.json(
                    ["identifiant": un.numero, "code": tape, "motDePasse": Passerelle.motDePasse]))
                #expect(active.status == .ok, "\(active.texte)")
                let encore = try await p.appel(.post, "/api/v1/auth/activation-papillon", json: Passerelle.json(
                    ["identifiant": un.numero, "code": papillons[0].code, "motDePasse": "Autre-Mot-De-Passe-7"]))
                #expect(try encore.probleme.code == "lien.invalide", "a code works once")

                let connexion = try await p.connexion(un.numero, Passerelle.motDePasse)
                #expect(connexion.status == .ok)
                let jeton = try connexion.json(Connexion.self).jeton
                #expect(try await p.appel(.get, "/api/v1/inscription/candidatures/\(un.id)", jeton: jeton).status == .ok, "his own candidature")
                for autre in [deux, ailleurs] {
                    let lecture = try await p.appel(.get, "/api/v1/inscription/candidatures/\(autre.id)", jeton: jeton)
                    #expect(lecture.status == .forbidden, "\(lecture.texte)")
                    #expect(try await p.appel(.get, "/api/v1/candidats/\(autre.numero)/dossier", jeton: jeton).status == .forbidden)
                }
                let liste = try await p.appel(.get, "/api/v1/inscription/sessions/\(inscription.session)/candidatures", jeton: jeton)
                #expect(liste.status == .ok)
                #expect(liste.texte.contains(un.numero) && !liste.texte.contains(deux.numero) && !liste.texte.contains(ailleurs.numero), "\(liste.texte)")

                // A reprint skips the activated account and replaces the other's code.
                let reimpression = try await p.appel(.post, "/api/v1/papillons", jeton: a, json: demande)
                #expect(try reimpression.json(PageDe<IdentityService.Papillon>.self).items.map(\.identifiant) == [deux.numero])
                // A cancelled candidature gets no papillon any more.
                #expect(try await p.appel(.post, "/api/v1/inscription/candidatures/\(deux.id)/annulation", jeton: a,
                                          json: Passerelle.json(["motif": "abandon"])).status == .ok)
                let annulee = try await p.appel(.post, "/api/v1/papillons", jeton: a, json: Self.demande(inscription.cfa, [(deux.numero, "x")]))
                #expect(try annulee.probleme.code == "papillon.candidat_inconnu")
                // A malformed UAI is named.
                let mauvaiseUAI = try await p.appel(.post, "/api/v1/papillons", jeton: a, json: Self.demande("0750655X", [("x", "X")]))
                #expect(mauvaiseUAI.status == .unprocessableContent)
                #expect(try mauvaiseUAI.probleme.details?.first?.location == "uai")
            }
        }
    }
}
