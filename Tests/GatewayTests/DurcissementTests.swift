import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import PostgresNIO
import Storage
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// Issue 12: bad input never stops a process, and the gateway's identity and edge hardening.
@Suite("Gateway hardening (issue 12)")
struct DurcissementTests {
    static let nombresHostiles = [
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1", "0", "abc", "1e3", "",
        String(repeating: "9", count: 400),
    ]

    /// The service's own `/health`, straight on its socket: it still answers after the requests.
    static func sante(_ url: String) async throws -> Int {
        guard let adresse = URL(string: "\(url)/health") else { throw TestStackError("bad url \(url)") }
        let (_, reponse) = try await URLSession.shared.data(from: adresse)
        return (reponse as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test("huge, negative or non-numeric page/taille: 422 naming the parameter on every list of the API, a bounded page on the web, and every process still answers /health")
    func paginationHostile() async throws {
        try await ServicesEnAval.reglementation { reglementation in
            try await InscriptionEnAval.avec { inscription in
                try await Passerelle.avec(services: ["reglementation": reglementation, "inscription": inscription.url]) { p in
                    let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
                    let admin = try await p.jeton(try await p.compte(.admin))
                    let listes = [
                        ("/api/v1/reglementation/sessions", gestionnaire),
                        ("/api/v1/inscription/sessions/\(inscription.session)/candidatures", gestionnaire),
                        ("/api/v1/comptes", gestionnaire),
                        ("/api/v1/audit", admin),
                    ]
                    for (liste, jeton) in listes {
                        for parametre in ["page", "taille"] {
                            for valeur in Self.nombresHostiles {
                                let uri = "\(liste)?\(parametre)=\(valeur)"
                                let reponse = try await p.appel(.get, uri, jeton: jeton)
                                #expect(reponse.status == .unprocessableContent, "\(uri): \(reponse.status) \(reponse.texte.prefix(300))")
                                if reponse.status == .unprocessableContent {
                                    #expect(try reponse.probleme.details?.contains { $0.location == parametre } == true, "\(uri): \(reponse.texte.prefix(300))")
                                    #expect(reponse.texte.count < 2000, "the error does not echo a huge parameter")
                                }
                            }
                        }
                        let derniere = try await p.appel(.get, "\(liste)?page=1000000&taille=200", jeton: jeton)
                        #expect(derniere.status == .ok, "\(liste): the largest page is an empty page, \(derniere.texte.prefix(300))")
                    }
                    // The web pages bound the page number instead (a link never answers 422).
                    let cookie: HTTPFields = [.cookie: "\(UserSessionMiddleware.cookieName)=\(gestionnaire)"]
                    for page in ["/comptes", "/journal", "/gestionnaire/sessions"] {
                        for valeur in ["9223372036854775807", "-9223372036854775808", "abc"] {
                            let reponse = try await p.appel(.get, "\(page)?page=\(valeur)", headers: cookie)
                            #expect(reponse.status == .ok, "\(page)?page=\(valeur): \(reponse.status)")
                        }
                    }
                    let sante = try await p.appel(.get, "/health")
                    #expect(sante.status.code < 600 && (try? sante.objet["service"] as? String) == "gateway", "\(sante.texte)")
                }
                #expect(try await Self.sante(inscription.url) > 0)
            }
            #expect(try await Self.sante(reglementation) > 0)
        }
    }

    @Test("an offset built past the bounds saturates instead of trapping")
    func offsetSature() {
        #expect(ServiceKit.Pagination(page: Int.max, taille: 200).offset == Int.max)
        #expect(ServiceKit.Pagination(page: 3, taille: 50).offset == 100)
        #expect(ServiceKit.Pagination(page: Int.min, taille: 50).offset == 0)
    }
    // MARK: Point 5 — lockout

    @Test("a failure after an expired lock starts a new window instead of locking again: the owner gets in with his password")
    func verrouExpire() async throws {
        try await Passerelle.avec { p in
            let compte = try await p.compte(.gestionnaire)
            for essai in 1...IdentityService.lockThreshold {
                #expect(try await p.connexion(compte.login, "Mauvais-Mot-2-Passe-\(essai)").status == .unauthorized)
            }
            #expect(try await etat(p, compte).verrouille, "locked after \(IdentityService.lockThreshold) failures")
            // The lock runs out (its end moved to the past, the last failure still recent).
            try await p.database.query(PostgresQuery(
                unsafeSQL: "UPDATE \(p.database.table("accounts")) SET locked_until = now() - interval '1 second', last_failure = now() - interval '2 seconds' WHERE id = $1",
                binds: SQL.binds(compte.account.id)))
            #expect(try await p.connexion(compte.login, "Encore-Un-Mauvais-9").status == .unauthorized)
            let apres = try await etat(p, compte)
            #expect(!apres.verrouille && apres.echecs == 1, "one failure after the lock is the first of a new window: \(apres)")
            let entree = try await p.connexion(compte.login, Passerelle.motDePasse)
            #expect(entree.status == .ok, "\(entree.texte)")
        }
    }

    @Test("a locked account answers exactly as a wrong password and as an unknown login: the lock reveals no login")
    func verrouMuet() async throws {
        try await Passerelle.avec { p in
            let compte = try await p.compte(.gestionnaire)
            for essai in 1...IdentityService.lockThreshold {
                _ = try await p.connexion(compte.login, "Mauvais-Mot-2-Passe-\(essai)")
            }
            let verrouille = try await p.connexion(compte.login, Passerelle.motDePasse)
            let inconnu = try await p.connexion("\(Passerelle.unique("personne"))@test.fr", Passerelle.motDePasse)
            let autre = try await p.compte(.gestionnaire)
            let mauvais = try await p.connexion(autre.login, "Pas-Le-Bon-Mot-7")
            #expect(verrouille.status == .unauthorized, "\(verrouille.texte)")
            #expect(verrouille.status == inconnu.status && verrouille.status == mauvais.status)
            // Same body (compared as JSON: the encoder's key order varies from one answer to the next).
            let corps = try [verrouille, inconnu, mauvais].map { try $0.probleme }.map { "\($0.code)|\($0.message)|\($0.details?.count ?? 0)" }
            #expect(Set(corps).count == 1, "\(corps)")
            #expect(verrouille.headers[.setCookie] == nil)
            #expect(try await etat(p, compte).echecs == IdentityService.lockThreshold, "the refused attempt did not look at the password")
        }
    }

    private func etat(_ p: Passerelle, _ compte: Passerelle.Compte) async throws -> (verrouille: Bool, echecs: Int) {
        let rows = try await p.database.query(PostgresQuery(
            unsafeSQL: "SELECT coalesce(locked_until > now(), false), failed_logins FROM \(p.database.table("accounts")) WHERE id = $1",
            binds: SQL.binds(compte.account.id)))
        for try await (verrouille, echecs) in rows.decode((Bool, Int).self) { return (verrouille, echecs) }
        throw TestStackError("no account \(compte.id)")
    }

    // MARK: Point 6 — no live link after sending

    @Test("the outbox and GET /api/v1/courriels show sent links masked; the live link went to the mail directory only")
    func liensMasques() async throws {
        try await Passerelle.avec { p in
            let admin = try await p.jeton(try await p.compte(.admin))
            let courriel = "\(Passerelle.unique("lien"))@test.fr"
            let cible = try await p.compte(.correcteur, courriel: courriel)
            #expect(try await p.appel(.post, "/api/v1/comptes/\(cible.id)/reinitialisation", jeton: admin).status == .accepted)
            let envoyes = try await p.courriels(pour: courriel)
            let secret = try Passerelle.jetonDuLien(try #require(envoyes.last).body)

            let liste = try await p.appel(.get, "/api/v1/courriels?destinataire=\(courriel)", jeton: admin)
            #expect(liste.status == .ok)
            let mails = try liste.json(PageDe<MailOutbox.Mail>.self).items
            #expect(!mails.isEmpty)
            #expect(!liste.texte.contains(secret), "no live link in the admin's listing")
            #expect(mails.allSatisfy { !$0.body.contains("jeton=") || $0.body.contains("jeton=[masqué]") })
            #expect(try await p.database.count("mail_outbox", where: "body LIKE '%\(secret)%'") == 0, "nor in the table")

            // The link that was sent works, once.
            let reinit = try await p.appel(.post, "/api/v1/auth/reinitialisation", json: Passerelle.json(
                ["jeton": secret, "motDePasse": "Nouveau-Mot-De-Passe-42"]))
            #expect(reinit.status == .ok, "\(reinit.texte)")
            #expect(try await p.connexion(cible.login, "Nouveau-Mot-De-Passe-42").status == .ok)
        }
    }

    // MARK: Point 7 — protective headers on forwarded answers

    @Test("an SVG with a script served through /api/v1/reglementation/ressources is a sandboxed, unsniffed download; JSON answers carry nosniff and the CSP too")
    func svgSandbox() async throws {
        try await ServicesEnAval.reglementation { url in
            try await Passerelle.avec(services: ["reglementation": url]) { p in
                let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
                let academie = "A\(Int.random(in: 10...99))"
                let code = "logo.\(UInt32.random(in: 0...UInt32.max))"
                let svg = #"<svg xmlns="http://www.w3.org/2000/svg"><script>fetch('/api/v1/comptes')</script></svg>"#
                let depot = try await p.appel(.put, "/api/v1/reglementation/ressources/\(academie)/\(code)", jeton: gestionnaire,
                                              headers: [.contentType: "image/svg+xml"], corps: svg)
                #expect(depot.status == .created, "\(depot.texte)")
                let lue = try await p.appel(.get, "/api/v1/reglementation/ressources/\(academie)/\(code)", jeton: gestionnaire)
                #expect(lue.status == .ok)
                #expect(lue.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(lue.headers[.contentSecurityPolicy]?.contains("sandbox") == true, "\(lue.headers)")
                #expect(lue.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(lue.headers[.contentDisposition]?.hasPrefix("attachment") == true, "\(lue.headers)")

                let json = try await p.appel(.get, "/api/v1/reglementation/sessions?taille=1", jeton: gestionnaire)
                #expect(json.status == .ok)
                #expect(json.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(json.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
                #expect(json.headers[.contentDisposition] == nil, "JSON stays readable by the API's clients")
            }
        }
        #expect(ForwardRoutes.protectiveHeaders(contentType: "application/pdf", disposition: "inline; filename=\"c.pdf\"")[.contentDisposition]
                == "attachment; filename=\"c.pdf\"")
    }

    // MARK: Point 10 — metrics and CSRF

    @Test("the gateway serves /metrics only to the operator's token, and not at all without one")
    func metriques() async throws {
        try await Passerelle.avec { p in
            let metriques = try await p.appel(.get, "/metrics")
            let sante = try await p.appel(.get, "/health")
            #expect(metriques.status == .notFound)
            #expect(sante.status.code != 404)
        }
        let jeton = "metriques-\(UUID().uuidString)"
        try await Passerelle.avec(environnement: ["CYCLADES_METRICS_TOKEN": jeton]) { p in
            #expect(try await p.appel(.get, "/metrics").status == .unauthorized)
            #expect(try await p.appel(.get, "/metrics", jeton: "autre-\(jeton)").status == .unauthorized)
            let lue = try await p.appel(.get, "/metrics", jeton: jeton)
            #expect(lue.status == .ok)
            #expect(lue.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
    }

    @Test("a cookie-authenticated API request that changes something must be application/json (415 otherwise); a bearer token is not concerned")
    func csrfJSON() async throws {
        try await ServicesEnAval.evaluation { url in
            try await Passerelle.avec(services: ["evaluation": url]) { p in
                let jeton = try await p.jeton(try await p.compte(.correcteur, habilitations: ["lot:L1"]))
                let cookie = "\(UserSessionMiddleware.cookieName)=\(jeton)"
                for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil] {
                    var headers: HTTPFields = [.cookie: cookie]
                    if let type { headers[.contentType] = type }
                    let refus = try await p.appel(.post, "/api/v1/evaluation/appelant", headers: headers, corps: #"{"note":1}"#)
                    #expect(refus.status == .unsupportedMediaType, "\(type ?? "no type"): \(refus.status) \(refus.texte)")
                    #expect(try refus.probleme.code == "requete.type")
                }
                let json = try await p.appel(.post, "/api/v1/evaluation/appelant", headers: [.cookie: cookie, .contentType: "application/json"], corps: "{}")
                #expect(json.status == .ok, "\(json.texte)")
                let lecture = try await p.appel(.get, "/api/v1/evaluation/appelant", headers: [.cookie: cookie])
                #expect(lecture.status == .ok)
                let bearer = try await p.appel(.post, "/api/v1/evaluation/appelant", jeton: jeton, headers: [.contentType: "text/plain"], corps: "x")
                #expect(bearer.status == .ok, "\(bearer.texte)")
            }
        }
    }
}
