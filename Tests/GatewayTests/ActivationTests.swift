import Domain
import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

@Suite("Gateway activation, reset and papillons")
struct ActivationTests {
    @Test("the mailed activation link sets the password once; weak passwords are refused with details; then login works")
    func activation() async throws {
        try await Passerelle.avec { p in
            let admin = try await p.jeton(try await p.compte(.admin))
            let courriel = "\(Passerelle.unique("a"))@test.fr"
            let cree = try await p.appel(.post, "/api/v1/comptes", jeton: admin, json: Passerelle.json(
                ["identifiant": courriel, "nom": "Irène Joliot", "courriel": courriel, "role": "correcteur"]))
            #expect(cree.status == .created, "\(cree.texte)")
            let mails = try await p.courriels(pour: courriel)
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail.purpose == "activation" && mail.subject.contains("Activation"))
            let jeton = try Passerelle.jetonDuLien(mail.body)
            #expect(mail.body.contains("/activation?jeton="))
            #expect(try await p.connexion(courriel, Passerelle.motDePasse).status == .unauthorized, "not active yet")

            let faible = try await p.appel(.post, "/api/v1/auth/activation", json: Passerelle.json(["jeton": jeton, "motDePasse": "court"]))
            #expect(faible.status == .unprocessableContent)
            let probleme = try faible.probleme
            #expect(probleme.code == "mot_de_passe.faible")
            #expect((probleme.details ?? []).count == 2, "length and kinds: \(faible.texte)")
            #expect(probleme.details?.allSatisfy { $0.location == "motDePasse" && $0.code == "mot_de_passe.faible" } == true)
            let avecLogin = try await p.appel(.post, "/api/v1/auth/activation", json: Passerelle.json(
                ["jeton": jeton, "motDePasse": "X-\(courriel.split(separator: "@")[0])-9"]))
            #expect(try avecLogin.probleme.details?.map(\.message).contains { $0.contains("identifiant") } == true)

            let active = try await p.appel(.post, "/api/v1/auth/activation", json: Passerelle.json(["jeton": jeton, "motDePasse": Passerelle.motDePasse]))
            #expect(active.status == .ok, "a refused password leaves the link usable: \(active.texte)")
            #expect(try active.json(Account.self).state == .actif)
            #expect(try await p.connexion(courriel, Passerelle.motDePasse).status == .ok)

            let encore = try await p.appel(.post, "/api/v1/auth/activation", json: Passerelle.json(["jeton": jeton, "motDePasse": "Autre-Mot-De-Passe-7"]))
            #expect(encore.status == .unprocessableContent)
            #expect(try encore.probleme.code == "lien.invalide")
            #expect(try await p.connexion(courriel, "Autre-Mot-De-Passe-7").status == .unauthorized)
        }
    }

    @Test("a reset request answers the same for a known and an unknown login, mails only the known one, and its link works once")
    func reset() async throws {
        try await Passerelle.avec { p in
            let courriel = "\(Passerelle.unique("r"))@test.fr"
            let compte = try await p.compte(.gestionnaire, courriel: courriel)
            let avant = try await p.courriels(pour: courriel).count
            let inconnu = "\(Passerelle.unique("inconnu"))@test.fr"
            let connu = try await p.appel(.post, "/api/v1/auth/reinitialisation/demande", json: Passerelle.json(["identifiant": compte.login]))
            let personne = try await p.appel(.post, "/api/v1/auth/reinitialisation/demande", json: Passerelle.json(["identifiant": inconnu]))
            #expect(connu.status == .accepted && personne.status == .accepted)
            #expect(connu.texte == personne.texte)
            #expect(try connu.objet["message"] as? String == AuthRoutes.resetAnswer)
            let mails = try await p.courriels(pour: courriel)
            #expect(mails.count == avant + 1)
            #expect(mails.last?.purpose == "reinitialisation")
            #expect(try await p.courriels(pour: inconnu).isEmpty)
            #expect(try await p.database.count("mail_outbox", where: "body LIKE '%\(inconnu)%'") == 0)

            let session = try await p.jeton(compte)
            let jeton = try Passerelle.jetonDuLien(try #require(mails.last).body)
            let nouveau = "Nouveau-Secret-42"
            let fait = try await p.appel(.post, "/api/v1/auth/reinitialisation", json: Passerelle.json(["jeton": jeton, "motDePasse": nouveau]))
            #expect(fait.status == .ok, "\(fait.texte)")
            #expect(try await p.connexion(compte.login, nouveau).status == .ok)
            #expect(try await p.connexion(compte.login, Passerelle.motDePasse).status == .unauthorized)
            #expect(try await p.appel(.get, "/api/v1/auth/moi", jeton: session).status == .unauthorized, "a new password closes the old sessions")
            let encore = try await p.appel(.post, "/api/v1/auth/reinitialisation", json: Passerelle.json(["jeton": jeton, "motDePasse": "Encore-Un-Autre-8"]))
            #expect(encore.status == .unprocessableContent)
            #expect(try encore.probleme.code == "lien.invalide")
            // An activation link is no reset link, and the other way round.
            #expect(try await p.appel(.post, "/api/v1/auth/activation", json: Passerelle.json(["jeton": jeton, "motDePasse": nouveau])).status == .unprocessableContent)
        }
    }

    @Test("papillons: an établissement prints codes for its candidates, each activates once with identifiant + code; another UAI is refused")
    func papillons() async throws {
        try await Passerelle.avec { p in
            let digits = String(format: "%07d", Int.random(in: 0...9_999_999))
            let uai = digits + String(UAI.checkLetter(for: digits)!)
            let autreDigits = String(format: "%07d", (Int(digits)! + 1) % 10_000_000)
            let autreUAI = autreDigits + String(UAI.checkLetter(for: autreDigits)!)
            let etablissement = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(uai)"]))
            let ailleurs = try await p.compte(.etablissement, habilitations: ["uai:\(autreUAI)"])
            let (ine1, ine2) = (Passerelle.unique("ine"), Passerelle.unique("ine"))
            let demande = Passerelle.json(["uai": uai, "candidats": [["identifiant": ine1, "nom": "Ada Lovelace"], ["identifiant": ine2, "nom": "Alan Turing"]]])

            let refus = try await p.appel(.post, "/api/v1/papillons", jeton: try await p.jeton(ailleurs), json: demande)
            #expect(refus.status == .forbidden)
            #expect(!refus.texte.contains(ine1))
            #expect(try await p.identity.accounts.credentials(login: ine1) == nil, "a refused print creates nothing")

            let imprime = try await p.appel(.post, "/api/v1/papillons", jeton: etablissement, json: demande)
            #expect(imprime.status == .ok, "\(imprime.texte)")
            let papillons = try imprime.json(PageDe<IdentityService.Papillon>.self).items
            #expect(papillons.map(\.identifiant) == [ine1, ine2])
            #expect(papillons.allSatisfy { $0.code.wholeMatch(of: /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/) != nil })
            let compte = try #require(try await p.identity.accounts.credentials(login: ine1)?.account)
            #expect(compte.role == .candidat && compte.state == .enAttente)
            #expect(Set(compte.scopes) == ["candidat:\(ine1)", "uai:\(uai)"])

            // The other candidate's code does not open this account.
            let croise = try await p.appel(.post, "/api/v1/auth/activation-papillon", json: Passerelle.json(
                ["identifiant": ine1, "code": papillons[1].code, "motDePasse": Passerelle.motDePasse]))
            #expect(try croise.probleme.code == "lien.invalide")
            // Typed as people type it: lower case, spaces instead of dashes.
            let tape = papillons[0].code.lowercased().replacingOccurrences(of: "-", with: " ")
            let active = try await p.appel(.post, "/api/v1/auth/activation-papillon", json: Passerelle.json(
                ["identifiant": ine1.uppercased(), "code": tape, "motDePasse": Passerelle.motDePasse]))
            #expect(active.status == .ok, "\(active.texte)")
            #expect(try active.json(Account.self).state == .actif)
            let connexion = try await p.connexion(ine1, Passerelle.motDePasse)
            #expect(connexion.status == .ok)
            let jeton = try connexion.json(Connexion.self).jeton
            #expect(try await p.appel(.get, "/api/v1/candidats/\(ine1)/dossier", jeton: jeton).status == .ok, "the candidate reads his own file")
            #expect(try await p.appel(.get, "/api/v1/candidats/\(ine2)/dossier", jeton: jeton).status == .forbidden)

            let encore = try await p.appel(.post, "/api/v1/auth/activation-papillon", json: Passerelle.json(
                ["identifiant": ine1, "code": papillons[0].code, "motDePasse": "Autre-Mot-De-Passe-7"]))
            #expect(encore.status == .unprocessableContent)
            #expect(try encore.probleme.code == "lien.invalide")
            // The second candidate's code still works (the crossed attempt did not spend it).
            let second = try await p.appel(.post, "/api/v1/auth/activation-papillon", json: Passerelle.json(
                ["identifiant": ine2, "code": papillons[1].code, "motDePasse": Passerelle.motDePasse]))
            #expect(second.status == .ok, "\(second.texte)")

            // A reprint skips activated accounts; another UAI's établissement cannot claim them.
            let reimpression = try await p.appel(.post, "/api/v1/papillons", jeton: etablissement, json: demande)
            #expect(try reimpression.json(PageDe<IdentityService.Papillon>.self).items.isEmpty)
            let mauvaiseUAI = try await p.appel(.post, "/api/v1/papillons", jeton: etablissement, json: Passerelle.json(
                ["uai": "0750655X", "candidats": [["identifiant": "x", "nom": "X"]]]))
            #expect(mauvaiseUAI.status == .unprocessableContent)
            #expect(try mauvaiseUAI.probleme.details?.first?.location == "uai")
        }
    }
}
