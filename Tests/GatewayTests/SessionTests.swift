import Foundation
import Storage
import HTTPTypes
import PostgresNIO
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

@Suite("Gateway login, lockout and sessions")
struct GatewaySessionTests {
    @Test("login answers a token, the account and a session cookie; the token and the cookie both open /auth/moi")
    func login() async throws {
        try await Passerelle.avec { p in
            let compte = try await p.compte(.gestionnaire)
            let reponse = try await p.connexion(compte.login.uppercased(), Passerelle.motDePasse)
            #expect(reponse.status == .ok, "\(reponse.texte)")
            let connexion = try reponse.json(Connexion.self)
            #expect(connexion.compte.id == compte.account.id)
            #expect(connexion.compte.state == .actif)
            #expect(connexion.expireLe > Date().addingTimeInterval(3600))
            #expect(!reponse.texte.contains("password") && !reponse.texte.contains("$2"), "no hash in the answer")
            let cookie = try #require(reponse.headers[.setCookie])
            #expect(cookie.hasPrefix("cyclades_session=\(connexion.jeton)"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))

            let moi = try await p.appel(.get, "/api/v1/auth/moi", jeton: connexion.jeton)
            #expect(try moi.json(Account.self).login == compte.login)
            let parCookie = try await p.appel(.get, "/api/v1/auth/moi", headers: [.cookie: "cyclades_session=\(connexion.jeton)"])
            #expect(parCookie.status == .ok)

            for mauvais in ["pas-un-jeton", connexion.jeton.dropLast(2) + "xx"] {
                #expect(try await p.appel(.get, "/api/v1/auth/moi", jeton: String(mauvais)).status == .unauthorized)
            }
            let inconnu = try await p.connexion("personne-\(UInt32.random(in: 0...UInt32.max))@test.fr", Passerelle.motDePasse)
            #expect(inconnu.status == .unauthorized)
            #expect(try inconnu.probleme.code == "connexion.refusee")
            let enAttente = try await p.compte(.correcteur, motDePasse: nil)
            #expect(try await p.connexion(enAttente.login, Passerelle.motDePasse).probleme.code == "connexion.refusee")
        }
    }

    @Test("the 6th attempt within a minute is refused without checking the password, even the right one, with the answer of a wrong one (401), and the audit says so")
    func bruteForce() async throws {
        // Live: a real socket, so that the audit and the per-address limit see the caller's address.
        try await Passerelle.avec(mode: .live) { p in
            let compte = try await p.compte(.correcteur, habilitations: ["lot:L1"])
            let admin = try await p.jeton(try await p.compte(.admin))
            for attempt in 1...IdentityService.lockThreshold {
                let reponse = try await p.connexion(compte.login, "Mauvais-Mot-2-Passe-\(attempt)")
                #expect(reponse.status == .unauthorized, "attempt \(attempt)")
                #expect(try reponse.probleme.code == "connexion.refusee")
            }
            let sixth = try await p.connexion(compte.login, Passerelle.motDePasse)
            #expect(sixth.status == .unauthorized, "\(sixth.texte)")
            #expect(try sixth.probleme.code == "connexion.refusee")
            #expect(sixth.headers[.setCookie] == nil)

            let entries = try await p.audit(acteur: compte.id, admin: admin).filter { $0.action == "connexion" }
            #expect(entries.first?.outcome == "refus")
            #expect(entries.first?.detail == "compte verrouillé")
            #expect(entries.dropFirst().prefix(5).map(\.detail) == Array(repeating: "mot de passe incorrect", count: 5))
            #expect(!entries.contains { $0.outcome == "succes" })

            // The refused attempt was not counted as a failure: the password was never looked at.
            let rows = try await p.database.query(PostgresQuery(
                unsafeSQL: "SELECT failed_logins, locked_until > now() FROM \(p.database.table("accounts")) WHERE id = $1",
                binds: SQL.binds(compte.account.id)))
            for try await (failed, locked) in rows.decode((Int, Bool).self) {
                #expect(failed == 5)
                #expect(locked)
            }
            #expect(entries.allSatisfy { ["127.0.0.1", "::1"].contains($0.address ?? "") }, "\(entries.map(\.address))")

            // Beside the lock, an address gets 30 attempts a minute, whatever the logins.
            for attempt in (IdentityService.lockThreshold + 2)...IdentityService.perAddress.limit {
                #expect(try await p.connexion(compte.login, Passerelle.motDePasse).status == .unauthorized, "attempt \(attempt)")
            }
            let autre = try await p.compte(.correcteur)
            let limite = try await p.connexion(autre.login, Passerelle.motDePasse)
            #expect(limite.status == .tooManyRequests)
            #expect(try limite.probleme.code == "connexion.trop_de_tentatives")
            let parAdresse = try await p.audit(acteur: autre.login, admin: admin)
            #expect(parAdresse.first?.detail == "limite par adresse")
        }
    }

    @Test("logout revokes the token and clears the cookie")
    func logout() async throws {
        try await Passerelle.avec { p in
            let compte = try await p.compte(.candidat, habilitations: ["candidat:x1"])
            let jeton = try await p.connexion(compte.login, Passerelle.motDePasse).json(Connexion.self).jeton
            let autre = try await p.jeton(compte)
            let sortie = try await p.appel(.post, "/api/v1/auth/deconnexion", jeton: jeton)
            #expect(sortie.status == .noContent)
            #expect(sortie.headers[.setCookie]?.hasPrefix("cyclades_session=;") == true, "\(sortie.headers)")
            let apres = try await p.appel(.get, "/api/v1/auth/moi", jeton: jeton)
            #expect(apres.status == .unauthorized)
            #expect(try apres.probleme.code == "auth.requise")
            #expect(try await p.appel(.post, "/api/v1/auth/deconnexion", jeton: jeton).status == .unauthorized)
            #expect(try await p.appel(.get, "/api/v1/auth/moi", jeton: autre).status == .ok, "only that session is closed")
        }
    }

    @Test("disabling an account revokes its sessions and forbids its login")
    func disable() async throws {
        try await Passerelle.avec { p in
            let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
            let compte = try await p.compte(.etablissement, habilitations: ["uai:0750655E"])
            let jeton = try await p.connexion(compte.login, Passerelle.motDePasse).json(Connexion.self).jeton
            #expect(try await p.appel(.get, "/api/v1/auth/moi", jeton: jeton).status == .ok)

            let desactivation = try await p.appel(.post, "/api/v1/comptes/\(compte.id)/desactivation", jeton: gestionnaire)
            #expect(desactivation.status == .noContent)
            #expect(try await p.appel(.get, "/api/v1/auth/moi", jeton: jeton).status == .unauthorized)
            #expect(try await p.connexion(compte.login, Passerelle.motDePasse).status == .unauthorized)
            let vu = try await p.appel(.get, "/api/v1/comptes/\(compte.id)", jeton: gestionnaire)
            #expect(try vu.json(Account.self).state == .desactive)
            #expect(try await p.appel(.get, "/api/v1/comptes/\(UUID())", jeton: gestionnaire).status == .notFound)
            #expect(try await p.appel(.post, "/api/v1/comptes/\(UUID())/desactivation", jeton: gestionnaire).status == .notFound)
        }
    }

    @Test("account creation: 201, an activation mail, 409 on a taken login, 422 naming each bad field, 403 for a role above the caller's")
    func creation() async throws {
        try await Passerelle.avec { p in
            let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
            let login = "\(Passerelle.unique("c"))@test.fr"
            let body = Passerelle.json(["identifiant": login, "nom": "Marie Curie", "courriel": login, "role": "correcteur", "habilitations": ["lot:L7"]])
            let cree = try await p.appel(.post, "/api/v1/comptes", jeton: gestionnaire, json: body)
            #expect(cree.status == .created, "\(cree.texte)")
            #expect(try cree.json(Account.self).state == .enAttente)
            #expect(try await p.courriels(pour: login).map(\.purpose) == ["activation"])
            let encore = try await p.appel(.post, "/api/v1/comptes", jeton: gestionnaire, json: body)
            #expect(encore.status == .conflict)
            #expect(try encore.probleme.code == "compte.existe")

            let mauvais = try await p.appel(.post, "/api/v1/comptes", jeton: gestionnaire, json: Passerelle.json(
                ["identifiant": "x", "nom": " ", "courriel": "pas-une-adresse", "role": "correcteur", "habilitations": ["uai:0750655E"]]))
            #expect(mauvais.status == .unprocessableContent)
            #expect(try mauvais.probleme.details?.map(\.location) == ["identifiant", "nom", "courriel", "habilitations"])

            let dessus = try await p.appel(.post, "/api/v1/comptes", jeton: gestionnaire, json: Passerelle.json(
                ["identifiant": Passerelle.unique("g"), "nom": "G", "role": "gestionnaire"]))
            #expect(dessus.status == .forbidden)

            // A body that is not what the route reads is a problem naming the field, like every error.
            let sansRole = try await p.appel(.post, "/api/v1/comptes", jeton: gestionnaire, json: #"{"identifiant":"abc","nom":"A"}"#)
            #expect(sansRole.status == .unprocessableContent, "\(sansRole.texte)")
            #expect(try sansRole.probleme.details?.first?.location == "role")
            let roleInconnu = try await p.appel(.post, "/api/v1/comptes", jeton: gestionnaire, json: #"{"identifiant":"abc","nom":"A","role":"roi"}"#)
            #expect(try roleInconnu.probleme.details?.first?.location == "role", "\(roleInconnu.texte)")
            let pasDuJSON = try await p.appel(.post, "/api/v1/auth/connexion", json: "identifiant=abc")
            #expect(pasDuJSON.status == .badRequest)
            #expect(try pasDuJSON.probleme.code == "requete.json")
            let enorme = try await p.appel(.post, "/api/v1/auth/connexion", json: #"{"identifiant":""# + String(repeating: "a", count: 1 << 20) + #"","motDePasse":"x"}"#)
            #expect(enorme.status == .contentTooLarge)
            #expect(try enorme.probleme.code == "requete.trop_grande")
        }
    }
}
