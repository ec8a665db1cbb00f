import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// The forms of the pages: accounts, passwords, papillons — errors next to their fields,
/// 303 after a POST that worked.
@Suite("Pages web : les formulaires")
struct WebFormsTests {
    @Test("creating an account: each field's error next to it, then a 303 and the account in the filtered list")
    func createAccount() async throws {
        try await WebBanc.avec { banc in
            let gestionnaire = try await banc.compte(.gestionnaire)
            let navigateur = banc.navigateur()
            try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse)
            let page = try await navigateur.get("/comptes")
            #expect(page.status == .ok)
            #expect(page.texte.contains(#"<label class="champ__libelle" for="champ-identifiant">Identifiant</label>"#))
            #expect(page.texte.contains(#"<option value="correcteur">Correcteur</option>"#))
            let select = try #require(page.texte.range(of: #"id="champ-role""#))
            let options = page.texte[select.upperBound...].components(separatedBy: "</select>")[0]
            #expect(options.contains(#"<option value="correcteur">"#))
            #expect(!options.contains(#"<option value="admin">"#) && !options.contains(#"<option value="gestionnaire">"#),
                    "a gestionnaire may not create admins nor gestionnaires")

            let csrf = try await navigateur.csrf()
            let invalid = try await navigateur.post("/comptes", [
                ("identifiant", "x"), ("nom", "Alex Établissement"), ("courriel", "pas-une-adresse"),
                ("role", "etablissement"), ("habilitations", "uai:1234567A"),
            ], csrf: csrf)
            #expect(invalid.status == .unprocessableContent)
            let html = invalid.texte
            for field in ["identifiant", "courriel", "habilitations"] {
                #expect(html.contains(#"id="champ-\#(field)-erreur""#), "\(field)")
                #expect(html.contains(##"<li><a href="#champ-\##(field)">"##), "\(field)")
            }
            #expect(html.contains("L&#39;identifiant doit faire 3 à 100 caractères"))
            #expect(html.contains("Adresse électronique invalide."))
            #expect(html.contains(#"value="Alex Établissement""#), "what was typed is kept")
            #expect(html.contains(#"<option value="etablissement" selected>"#))
            #expect(!html.contains(#"id="champ-nom-erreur""#))

            let forbidden = try await navigateur.post("/comptes", [
                ("identifiant", WebBanc.unique("web.admin.")), ("nom", "Trop Haut"), ("role", "admin"),
            ], csrf: csrf)
            #expect(forbidden.status == .unprocessableContent)
            #expect(forbidden.texte.contains(#"id="champ-role-erreur""#))

            let login = WebBanc.unique("web.nouveau.")
            let created = try await navigateur.post("/comptes", [
                ("identifiant", login), ("nom", "Noé Nouveau"), ("courriel", "\(login)@exemple.fr"),
                ("role", "correcteur"), ("habilitations", "lot:L-1, lot:L-2"),
            ], csrf: csrf)
            #expect(created.status == .seeOther)
            #expect(created.location == "/comptes?fait=cree-lien")
            let account = try #require(try await banc.identity.accounts.credentials(login: login)?.account)
            #expect(account.scopes == ["lot:L-1", "lot:L-2"])
            #expect(account.state == .enAttente)

            let listed = try await navigateur.get("/comptes?fait=cree-lien&role=correcteur&q=\(login)")
            #expect(listed.texte.contains("un lien d&#39;activation a été envoyé"))
            #expect(listed.texte.contains("<caption>1 compte(s) trouvé(s)</caption>"))
            #expect(listed.texte.contains("<th scope=\"row\" class=\"coupable\">\(login)</th>"))

            let again = try await navigateur.post("/comptes", [("identifiant", login), ("nom", "Doublon"), ("role", "correcteur")], csrf: csrf)
            #expect(again.status == .unprocessableContent)
            #expect(again.texte.contains(#"id="champ-identifiant-erreur""#))

            let disabled = try await navigateur.post("/comptes/\(account.id.uuidString.lowercased())/desactivation", [], csrf: csrf)
            #expect(disabled.location == "/comptes?fait=desactive")
            #expect(try await banc.identity.accounts.find(id: account.id)?.state == .desactive)
        }
    }

    @Test("activation link: both entries must match, a weak password is refused next to its field, then the account logs in")
    func activation() async throws {
        try await WebBanc.avec { banc in
            let account = try await banc.compte(.correcteur, motDePasse: nil)
            let secret = OneTimeTokens.linkSecret()
            try await banc.database.transaction { connection in
                try await banc.identity.tokens.issue(.activation, account: account.id, secret: secret, validFor: .seconds(600), on: connection)
            }
            let navigateur = banc.navigateur()
            let page = try await navigateur.get("/activation?jeton=\(secret)")
            #expect(page.status == .ok)
            #expect(page.texte.contains("<h1>Activer mon compte</h1>"))
            #expect(page.texte.contains(#"<input type="hidden" name="jeton" value="\#(secret)">"#))
            let csrf = try await navigateur.csrf()

            let mismatch = try await navigateur.post("/activation", [
                ("jeton", secret), ("motDePasse", "Un-Mot-De-Passe-9"), ("confirmation", "Un-Autre-9"),
            ], csrf: csrf)
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.texte.contains(#"id="champ-confirmation-erreur"><span class="champ__erreur-prefixe">Erreur : </span>Les deux saisies du mot de passe ne sont pas identiques.</p>"#))

            let weak = try await navigateur.post("/activation", [("jeton", secret), ("motDePasse", "court"), ("confirmation", "court")], csrf: csrf)
            #expect(weak.status == .unprocessableContent)
            #expect(weak.texte.contains(#"id="champ-motDePasse-erreur"><span class="champ__erreur-prefixe">Erreur : </span>Le mot de passe doit contenir au moins 12 caractères.</p>"#))
            #expect(weak.texte.contains(#"aria-describedby="champ-motDePasse-aide champ-motDePasse-erreur""#))

            let done = try await navigateur.post("/activation", [
                ("jeton", secret), ("motDePasse", "Active-Enfin-2027"), ("confirmation", "Active-Enfin-2027"),
            ], csrf: csrf)
            #expect(done.status == .seeOther)
            #expect(done.location == "/connexion?motdepasse=1")
            #expect(try await navigateur.connexion(account.login, "Active-Enfin-2027").location == "/correcteur")

            let reused = try await banc.navigateur().post("/activation", [
                ("jeton", secret), ("motDePasse", "Encore-Une-Fois-1"), ("confirmation", "Encore-Une-Fois-1"),
            ], csrf: nil)
            #expect(reused.status == .forbidden, "no CSRF token")
            let visitor = banc.navigateur()
            let again = try await visitor.post("/reinitialisation", [
                ("jeton", secret), ("motDePasse", "Encore-Une-Fois-1"), ("confirmation", "Encore-Une-Fois-1"),
            ], csrf: try await visitor.csrf())
            #expect(again.status == .unprocessableContent)
            #expect(again.texte.contains("Ce lien ou ce code n&#39;est pas valide"))

            #expect(try await banc.navigateur().get("/reinitialisation").texte.contains("Ce lien est incomplet"))
        }
    }

    @Test("forgotten password: the same neutral answer whether the account exists or not")
    func forgottenPassword() async throws {
        try await WebBanc.avec { banc in
            let account = try await banc.compte(.etablissement, courriel: "oubli@exemple.fr")
            for login in [account.login, WebBanc.unique("web.inconnu.")] {
                let navigateur = banc.navigateur()
                let answer = try await navigateur.post("/mot-de-passe-oublie", [("identifiant", login)], csrf: try await navigateur.csrf())
                #expect(answer.status == .seeOther)
                #expect(answer.location == "/mot-de-passe-oublie?envoye=1")
            }
            let page = try await banc.navigateur().get("/mot-de-passe-oublie?envoye=1")
            #expect(page.texte.contains("Si un compte correspond à cet identifiant"))
            let navigateur = banc.navigateur()
            let empty = try await navigateur.post("/mot-de-passe-oublie", [("identifiant", " ")], csrf: try await navigateur.csrf())
            #expect(empty.status == .unprocessableContent)
            #expect(empty.texte.contains(#"id="champ-identifiant-erreur""#))
        }
    }

    @Test("papillon page: only the établissement's own candidates (Inscription confirms); a wrong code is said next to the code field; the right one activates the account")
    func papillon() async throws {
        try await InscriptionEnAval.avec { inscription in
            try await WebBanc.avec(services: ["inscription": inscription.url]) { banc in
                let uai = inscription.cfa
                let etablissement = try await banc.compte(.etablissement, habilitations: ["uai:\(uai)"])
                let navigateur = banc.navigateur()
                try await navigateur.connexion(etablissement.login, WebBanc.motDePasse)
                let form = try await navigateur.get("/etablissement/papillons")
                #expect(form.texte.contains(#"<option value="\#(uai)">"#))
                // One of its students, registered through the pages.
                let nom = WebBanc.unique("Eleve")
                let cree = try await navigateur.post("/etablissement/inscription/\(inscription.session)/nouvelle", [
                    ("nomFamille", nom), ("prenoms", "Élise"), ("sexe", "F"), ("dateNaissance", "2005-03-14"), ("communeNaissance", "Lyon"),
                    ("adresse", "3 rue des Lilas"), ("codePostal", "69003"), ("commune", "Lyon"),
                    ("options-presentes", "1"), ("categorie", "apprenti"), ("uai", uai), ("specialite", "COIFFURE"), ("forme", "globale"),
                ], csrf: try await navigateur.csrf())
                #expect(cree.status == .seeOther, "\(cree.texte)")
                let fiche = try await navigateur.get(try #require(cree.location)).texte
                let login = String(try #require(fiche.firstMatch(of: /Candidature n° ([0-9]+)/)).1)

                let badLine = try await navigateur.post("/etablissement/papillons", [("uai", uai), ("candidats", "sans-nom")], csrf: try await navigateur.csrf())
                #expect(badLine.status == .unprocessableContent)
                #expect(badLine.texte.contains("Ligne 1 : attendu « identifiant ; nom »."))
                // An identifiant that is none of its candidates: refused, next to the list, nothing created.
                let inconnu = WebBanc.unique("web.eleve.")
                let refus = try await navigateur.post(
                    "/etablissement/papillons", [("uai", uai), ("candidats", "\(inconnu) ; Quelqu'un")], csrf: try await navigateur.csrf())
                #expect(refus.status == .unprocessableContent)
                #expect(refus.texte.contains("n&#39;est pas le numéro candidat d&#39;un candidat de l&#39;établissement \(uai)"), "\(refus.texte)")
                #expect(try await banc.identity.accounts.credentials(login: inconnu) == nil)

                let printed = try await navigateur.post(
                    "/etablissement/papillons", [("uai", uai), ("candidats", "\(login) ; Élise Élève")], csrf: try await navigateur.csrf())
                #expect(printed.status == .ok, "\(printed.texte)")
                #expect(printed.texte.contains("Papillons à imprimer — \(uai)"))
                let marker = #"<dt>Code d'activation</dt><dd class="papillon__code">"#
                let range = try #require(printed.texte.range(of: marker))
                let code = String(printed.texte[range.upperBound...].prefix { $0 != "<" })

                let candidat = banc.navigateur()
                let csrf = try await candidat.csrf()
                let wrong = try await candidat.post("/activation-papillon", [
                    ("identifiant", login), ("code", "AAAA-BBBB-CCCC"), ("motDePasse", "Eleve-Active-2027"), ("confirmation", "Eleve-Active-2027"),
                ], csrf: csrf)
                #expect(wrong.status == .unprocessableContent)
                #expect(wrong.texte.contains(#"id="champ-code-erreur""#))
                let right = try await candidat.post("/activation-papillon", [
                    ("identifiant", login), ("code", code), ("motDePasse", "Eleve-Active-2027"), ("confirmation", "Eleve-Active-2027"),
                ], csrf: csrf)
                #expect(right.location == "/connexion?motdepasse=1", "\(right.status) \(code)")
                #expect(try await candidat.connexion(login, "Eleve-Active-2027").location == "/candidat")
                let dossier = try await candidat.get("/candidat")
                #expect(dossier.texte.contains("Informations incomplètes"), "the other services of the file are down: said, not failed")
            }
        }
    }

    @Test("a session's dashboard with its services down: a 200 page naming what is missing")
    func sessionDashboardDegrades() async throws {
        try await WebBanc.avec { banc in
            let gestionnaire = try await banc.compte(.gestionnaire)
            let navigateur = banc.navigateur()
            try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse)
            let page = try await navigateur.get("/gestionnaire/sessions/BP-2031-06-N")
            #expect(page.status == .ok)
            #expect(page.texte.contains("<h1>Session BP-2031-06-N</h1>"))
            #expect(page.texte.contains("Informations incomplètes"))
            #expect(page.texte.contains("Session et services d&#39;étape (service reglementation : ne répond pas)"))
            #expect(page.texte.contains(#"<span class="etat etat--alerte">Indisponible</span>"#))
            #expect(page.texte.contains(#"<a class="navigation__lien" href="/gestionnaire/sessions" aria-current="page">Sessions</a>"#))
            let invalid = try await navigateur.get("/gestionnaire/sessions/pas-un-code")
            #expect(invalid.status == .notFound)
            #expect(invalid.texte.contains("<h1>Page introuvable</h1>"))
            let journal = try await navigateur.get("/journal?acteur=\(gestionnaire.id.uuidString.lowercased())")
            #expect(journal.status == .ok)
            #expect(journal.texte.contains("<td>connexion</td>"))
        }
    }
}
