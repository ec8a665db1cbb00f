import Domain
import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

@Suite("Gateway activation and reset")
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
}
