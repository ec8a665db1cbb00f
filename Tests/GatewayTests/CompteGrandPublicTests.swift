import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// A Grand Public candidate opens his own account: `POST /api/v1/auth/inscription` and the
/// `/creer-compte` page.
@Suite("Gateway: Grand Public accounts")
struct CompteGrandPublicTests {
    @Test("the API creates a waiting candidat account scoped to itself, mails its activation link, and the link opens it")
    func creation() async throws {
        try await Passerelle.avec { p in
            let login = Passerelle.unique("gp.")
            let courriel = "\(login)@exemple.fr"
            let reponse = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(
                ["identifiant": login.uppercased(), "nom": "Léa Martin", "courriel": courriel]))
            #expect(reponse.status == .accepted, "\(reponse.texte)")
            #expect(try reponse.objet["message"] as? String == AuthRoutes.registrationAnswer)

            let compte = try #require(try await p.identity.accounts.credentials(login: login)?.account)
            #expect(compte.role == .candidat)
            #expect(compte.state == .enAttente)
            #expect(compte.scopes == ["candidat:\(login)"], "no établissement")
            #expect(compte.email == courriel)
            #expect(compte.displayName == "Léa Martin")

            let mails = try await p.courriels(pour: courriel)
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail.purpose == "activation")
            #expect(mail.body.contains("/activation?jeton="))
            #expect(try await p.connexion(login, Passerelle.motDePasse).status == .unauthorized, "not active yet")
            let jeton = try Passerelle.jetonDuLien(mail.body)
            let active = try await p.appel(.post, "/api/v1/auth/activation", json: Passerelle.json(["jeton": jeton, "motDePasse": Passerelle.motDePasse]))
            #expect(active.status == .ok, "\(active.texte)")
            let connexion = try await p.connexion(login, Passerelle.motDePasse)
            #expect(connexion.status == .ok)
            #expect(try connexion.json(Connexion.self).compte.role == .candidat)

            let audit = try await p.audit(acteur: compte.id.uuidString.lowercased(), admin: try await p.jeton(try await p.compte(.admin)))
            #expect(audit.contains { $0.action == "compte.inscription" && $0.outcome == "succes" })
        }
    }

    @Test("each bad field is named in French (422), a login of digits only is reserved, nothing is created")
    func validation() async throws {
        try await Passerelle.avec { p in
            let login = Passerelle.unique("gp.")
            let reponse = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(
                ["identifiant": "a", "nom": "  ", "courriel": "pas-une-adresse"]))
            #expect(reponse.status == .unprocessableContent)
            let probleme = try reponse.probleme
            #expect(Set((probleme.details ?? []).map(\.location)) == ["identifiant", "nom", "courriel"], "\(reponse.texte)")
            #expect(probleme.details?.first { $0.location == "courriel" }?.message == "Adresse électronique invalide (ex. prenom.nom@exemple.fr).")
            #expect(probleme.details?.first { $0.location == "nom" }?.message == "Le nom est obligatoire (200 caractères au plus).")

            let chiffres = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(
                ["identifiant": "00123456", "nom": "Numéro", "courriel": "\(login)@exemple.fr"]))
            #expect(chiffres.status == .unprocessableContent)
            #expect(try chiffres.probleme.details?.first?.code == "identifiant.reserve")
            #expect(try await p.identity.accounts.credentials(login: "00123456") == nil)
            #expect(try await p.courriels(pour: "\(login)@exemple.fr").isEmpty)

            let manquant = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(["identifiant": login, "nom": "X"]))
            #expect(manquant.status == .unprocessableContent)
            #expect(try manquant.probleme.details?.first?.location == "courriel")
        }
    }

    @Test("a taken identifiant gets the same answer and mails nobody; the account is left alone")
    func identifiantPris() async throws {
        try await Passerelle.avec { p in
            let proprietaire = try await p.compte(.correcteur, courriel: "\(Passerelle.unique("o"))@test.fr")
            let avant = try await p.courriels(pour: proprietaire.account.email!).count
            let intrus = "\(Passerelle.unique("intrus"))@exemple.fr"
            let libre = Passerelle.unique("gp.")
            let pris = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(
                ["identifiant": proprietaire.login, "nom": "Intrus", "courriel": intrus]))
            let nouveau = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(
                ["identifiant": libre, "nom": "Nouveau", "courriel": "\(libre)@exemple.fr"]))
            #expect(pris.status == .accepted && nouveau.status == .accepted)
            #expect(pris.texte == nouveau.texte, "the answer tells nothing")

            let compte = try #require(try await p.identity.accounts.credentials(login: proprietaire.login)?.account)
            #expect(compte.role == .correcteur && compte.displayName == proprietaire.account.displayName && compte.email == proprietaire.account.email)
            #expect(try await p.courriels(pour: proprietaire.account.email!).count == avant, "the owner is not mailed")
            #expect(try await p.courriels(pour: intrus).isEmpty, "the address the requester chose learns nothing about the account")
            #expect(try await p.courriels(pour: "\(libre)@exemple.fr").count == 1, "a free identifiant gets its activation link")
        }
    }

    @Test("rate-limited like login: the 31st request within a minute from one address is refused (429)")
    func limite() async throws {
        try await Passerelle.avec { p in
            for _ in 0..<30 {
                let reponse = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(["identifiant": "x", "nom": "", "courriel": ""]))
                #expect(reponse.status == .unprocessableContent)
            }
            let login = Passerelle.unique("gp.")
            let refus = try await p.appel(.post, "/api/v1/auth/inscription", json: Passerelle.json(
                ["identifiant": login, "nom": "Trop", "courriel": "\(login)@exemple.fr"]))
            #expect(refus.status == .tooManyRequests)
            #expect(try refus.probleme.code == "inscription.trop_de_demandes")
            #expect(try await p.identity.accounts.credentials(login: login) == nil)
        }
    }

    @Test("the page /creer-compte: linked from the login page, errors next to their fields, then the neutral notice and the mail")
    func page() async throws {
        try await WebBanc.avec { banc in
            let navigateur = banc.navigateur()
            let connexion = try await navigateur.get("/connexion")
            #expect(connexion.texte.contains(#"<a href="/creer-compte">"#))
            let page = try await navigateur.get("/creer-compte")
            #expect(page.status == .ok)
            #expect(page.texte.contains("<h1>Créer mon compte candidat</h1>"))
            #expect(page.texte.contains(#"<label class="champ__libelle" for="champ-identifiant">Identifiant"#))
            #expect(page.texte.contains(#"<label class="champ__libelle" for="champ-courriel">Adresse électronique"#))
            #expect(page.texte.contains(#"autocomplete="email""#))

            let csrf = try await navigateur.csrf()
            let erreurs = try await navigateur.post("/creer-compte", [("identifiant", "ab"), ("nom", "Léa Martin"), ("courriel", "faux")], csrf: csrf)
            #expect(erreurs.status == .unprocessableContent)
            #expect(erreurs.texte.contains(#"id="champ-identifiant-erreur""#))
            #expect(erreurs.texte.contains(#"id="champ-courriel-erreur""#))
            #expect(erreurs.texte.contains("Adresse électronique invalide"))
            #expect(erreurs.texte.contains(#"value="Léa Martin""#), "what was typed stays")
            #expect(try await navigateur.post("/creer-compte", [("identifiant", "abc")]).status == .forbidden, "no CSRF token")

            let login = WebBanc.unique("gp.")
            let courriel = "\(login)@exemple.fr"
            let envoye = try await navigateur.post("/creer-compte", [("identifiant", login), ("nom", "Léa Martin"), ("courriel", courriel)], csrf: csrf)
            #expect(envoye.status == .seeOther)
            #expect(envoye.location == "/creer-compte?envoye=1")
            let notice = try await navigateur.get("/creer-compte?envoye=1")
            #expect(notice.texte.contains("Votre demande est enregistrée."))
            #expect(!notice.texte.contains(#"action="/creer-compte""#))
            let compte = try #require(try await banc.identity.accounts.credentials(login: login)?.account)
            #expect(compte.role == .candidat && compte.scopes == ["candidat:\(login)"])
            let mails = try await banc.identity.mails.list(recipient: courriel, limit: 5)
            #expect(mails.count == 1 && mails.first?.purpose == "activation")
        }
    }
}
