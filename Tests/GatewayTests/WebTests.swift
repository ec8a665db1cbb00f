import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// The web frame: login, logout, homes by role, refusals, CSRF, security headers, assets.
@Suite("Pages web : le cadre")
struct WebTests {
    static let securityHeaders = [
        "Content-Security-Policy": "default-src 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    ]

    static func expectSecurityHeaders(_ reponse: WebNavigateur.Reponse, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, value) in securityHeaders {
            let actual = reponse.headers[HTTPField.Name(name)!] ?? ""
            #expect(actual.contains(value), "\(name): \(actual)", sourceLocation: sourceLocation)
        }
    }

    @Test("the login page: French, one layout, labelled fields, a CSRF token in cookie and form, security headers")
    func loginPage() async throws {
        try await WebBanc.avec { banc in
            let page = try await banc.navigateur().get("/connexion")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-store")
            Self.expectSecurityHeaders(page)
            let html = page.texte
            #expect(html.hasPrefix("<!doctype html>\n<html lang=\"fr\">"))
            #expect(html.contains("<title>Connexion — Cyclades BP</title>"))
            #expect(html.contains(##"<a class="evitement" href="#contenu">Aller au contenu</a>"##))
            #expect(html.contains(#"<main id="contenu""#))
            #expect(html.contains(#"<label class="champ__libelle" for="champ-identifiant">Identifiant</label>"#))
            #expect(html.contains(#"<label class="champ__libelle" for="champ-motDePasse">Mot de passe</label>"#))
            #expect(html.contains(#"id="champ-motDePasse" name="motDePasse" type="password""#))
            #expect(html.contains(#"<button type="submit" class="bouton">Se connecter</button>"#))
            #expect(!html.contains("aria-invalid"))
            let cookie = try #require(page.setCookie(CSRF.cookieName))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            let token = try #require(page.csrfField)
            #expect(cookie.hasPrefix("\(CSRF.cookieName)=\(token);"))
            #expect(token.count == 43)
        }
    }

    @Test("a wrong password re-renders the form: the message next to the field, the login kept, no session cookie")
    func wrongPassword() async throws {
        try await WebBanc.avec { banc in
            let gestionnaire = try await banc.compte(.gestionnaire)
            let navigateur = banc.navigateur()
            let refused = try await navigateur.connexion(gestionnaire.login, "Pas-Le-Bon-1234")
            #expect(refused.status == .unauthorized)
            #expect(refused.setCookie(UserSessionMiddleware.cookieName) == nil)
            #expect(navigateur.cookies[UserSessionMiddleware.cookieName] == nil)
            let html = refused.texte
            #expect(html.contains("<title>Erreur : connexion — Cyclades BP</title>"))
            #expect(html.contains(#"id="champ-identifiant" name="identifiant" type="text" value="\#(gestionnaire.login)""#))
            // The error sits in the password field's block, announced by aria-describedby.
            let field = try #require(html.range(of: #"<input class="champ__saisie" id="champ-motDePasse""#))
            let block = html[field.lowerBound...].prefix(600)
            #expect(block.contains(#"aria-invalid="true""#))
            #expect(block.contains(#"aria-describedby="champ-motDePasse-erreur""#))
            #expect(block.contains(#"<p class="champ__erreur" id="champ-motDePasse-erreur"><span class="champ__erreur-prefixe">Erreur : </span>Identifiant ou mot de passe incorrect.</p>"#))
            #expect(html.contains(##"<li><a href="#champ-motDePasse">Identifiant ou mot de passe incorrect.</a></li>"##))

            let empty = try await navigateur.post("/connexion", [("identifiant", ""), ("motDePasse", "")], csrf: try await navigateur.csrf())
            #expect(empty.status == .unprocessableContent)
            #expect(empty.texte.contains(#"id="champ-identifiant-erreur"><span class="champ__erreur-prefixe">Erreur : </span>Saisissez votre identifiant.</p>"#))
            #expect(empty.texte.contains("Saisissez votre mot de passe."))
        }
    }

    @Test("the right password sets the session cookie and 303s to the role's home; the dashboard degrades when réglementation is down")
    func rightPassword() async throws {
        try await WebBanc.avec { banc in
            let gestionnaire = try await banc.compte(.gestionnaire, nom: "Dominique Gérante")
            let navigateur = banc.navigateur()
            let csrfBefore = try await navigateur.csrf()
            let accepted = try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse)
            #expect(accepted.status == .seeOther)
            #expect(accepted.location == "/gestionnaire")
            let session = try #require(accepted.setCookie(UserSessionMiddleware.cookieName))
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict"))
            #expect(navigateur.cookies[CSRF.cookieName] != csrfBefore, "a new CSRF token after login")
            Self.expectSecurityHeaders(accepted)

            let dashboard = try await navigateur.get("/gestionnaire")
            #expect(dashboard.status == .ok)
            let html = dashboard.texte
            #expect(html.contains("<h1>Tableau de bord</h1>"))
            #expect(html.contains("Dominique Gérante"))
            #expect(html.contains(#"<a class="navigation__lien" href="/gestionnaire" aria-current="page">Tableau de bord</a>"#))
            for entry in ["Sessions", "Comptes", "Journal d&#39;accès"] { #expect(html.contains(">\(entry)</a>"), "\(entry)") }
            #expect(html.contains(#"<form method="post" action="/deconnexion""#))
            #expect(html.contains(#"name="_csrf" value="\#(navigateur.cookies[CSRF.cookieName] ?? "?")""#))
            #expect(html.contains("Le service reglementation ne répond pas"), "the réglementation service is down: a notice, not an error")

            #expect(try await navigateur.get("/").location == "/gestionnaire")
            #expect(try await navigateur.get("/connexion").location == "/gestionnaire", "logged in: the login page sends home")
        }
    }

    @Test("retour: a relative path is honoured, anything else is not (no open redirect)")
    func returnPath() async throws {
        try await WebBanc.avec { banc in
            let gestionnaire = try await banc.compte(.gestionnaire)
            for (retour, expected) in [
                ("/comptes?role=candidat", "/comptes?role=candidat"), ("//evil.example/x", "/gestionnaire"),
                ("https://evil.example", "/gestionnaire"), ("/\\evil.example", "/gestionnaire"), ("javascript:alert(1)", "/gestionnaire"),
            ] {
                let answer = try await banc.navigateur().connexion(gestionnaire.login, WebBanc.motDePasse, retour: retour)
                #expect(answer.status == .seeOther)
                #expect(answer.location == expected, "\(retour)")
            }
            let page = try await banc.navigateur().get("/connexion?retour=%2Fcomptes")
            #expect(page.texte.contains(#"<input type="hidden" name="retour" value="/comptes">"#))
            let evil = try await banc.navigateur().get("/connexion?retour=%2F%2Fevil.example")
            #expect(!evil.texte.contains("evil.example"))
        }
    }

    @Test("anonymous on a protected page: 303 to the login page with the way back")
    func anonymous() async throws {
        try await WebBanc.avec { banc in
            let navigateur = banc.navigateur()
            let answer = try await navigateur.get("/gestionnaire")
            #expect(answer.status == .seeOther)
            #expect(answer.location == "/connexion?retour=%2Fgestionnaire")
            Self.expectSecurityHeaders(answer)
            #expect(try await navigateur.get("/comptes?role=admin").location == "/connexion?retour=%2Fcomptes%3Frole%3Dadmin")
            #expect(try await navigateur.get("/").location == "/connexion")
            for path in ["/admin", "/etablissement", "/correcteur", "/jury", "/candidat", "/journal", "/gestionnaire/sessions/BP-2031-06-N"] {
                #expect(try await navigateur.get(path).status == .seeOther, "\(path)")
            }
        }
    }

    @Test("a candidat on the gestionnaire's dashboard gets a French 403 page, audited")
    func wrongRole() async throws {
        try await WebBanc.avec { banc in
            let candidat = try await banc.compte(.candidat, nom: "Lou Candidate")
            let navigateur = banc.navigateur()
            #expect(try await navigateur.connexion(candidat.login, WebBanc.motDePasse).location == "/candidat")
            let refused = try await navigateur.get("/gestionnaire")
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.contentType] == "text/html; charset=utf-8")
            Self.expectSecurityHeaders(refused)
            #expect(refused.texte.contains("<h1>Accès refusé</h1>"))
            #expect(refused.texte.contains("vos habilitations ne permettent pas cette action"))
            #expect(refused.texte.contains(#"<a class="navigation__lien" href="/candidat">Mon dossier</a>"#))
            let audit = try await banc.identity.audit.list(actor: candidat.id.uuidString.lowercased(), action: "refus", limit: 5, offset: 0)
            #expect(audit.contains { $0.target == "GET /gestionnaire" && $0.outcome == "refus" })

            let home = try await navigateur.get("/candidat")
            #expect(home.status == .ok)
            #expect(home.texte.contains("<h1>Mon dossier</h1>"))
        }
    }

    @Test("a POST without the right CSRF token is refused with a 403 page and changes nothing")
    func csrf() async throws {
        try await WebBanc.avec { banc in
            let gestionnaire = try await banc.compte(.gestionnaire)
            let navigateur = banc.navigateur()
            let token = try await navigateur.csrf()
            let fields = [("identifiant", gestionnaire.login), ("motDePasse", WebBanc.motDePasse)]
            for csrf in [nil, "", String(token.reversed()), String(token.dropLast())] {
                let refused = try await navigateur.post("/connexion", fields, csrf: csrf)
                #expect(refused.status == .forbidden, "\(csrf ?? "nil")")
                #expect(refused.texte.contains("<h1>Formulaire expiré</h1>"))
                #expect(refused.setCookie(UserSessionMiddleware.cookieName) == nil)
            }
            // A token in the form but no cookie (another site's form) is refused too.
            let other = banc.navigateur()
            #expect(try await other.post("/connexion", fields, csrf: token).status == .forbidden)

            try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse)
            let logout = try await navigateur.post("/deconnexion", [])
            #expect(logout.status == .forbidden)
            #expect(try await navigateur.get("/gestionnaire").status == .ok, "still logged in")
        }
    }

    @Test("logging out closes the session: the cookie is cleared and the old token no longer works")
    func logout() async throws {
        try await WebBanc.avec { banc in
            let gestionnaire = try await banc.compte(.gestionnaire)
            let navigateur = banc.navigateur()
            try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse)
            let token = try #require(navigateur.cookies[UserSessionMiddleware.cookieName])
            let answer = try await navigateur.post("/deconnexion", [], csrf: try await navigateur.csrf())
            #expect(answer.status == .seeOther)
            #expect(answer.location == "/connexion?deconnecte=1")
            #expect(answer.setCookie(UserSessionMiddleware.cookieName)?.contains("Max-Age=0") == true)
            #expect(try await navigateur.get("/connexion?deconnecte=1").texte.contains("Vous êtes déconnecté."))
            navigateur.set(UserSessionMiddleware.cookieName, token)
            #expect(try await navigateur.get("/gestionnaire").location == "/connexion?retour=%2Fgestionnaire")
        }
    }

    @Test("the stylesheet is served with caching headers")
    func staticAssets() async throws {
        try await WebBanc.avec { banc in
            let css = try await banc.navigateur().get("/static/cyclades.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)
            let cache = css.headers[.cacheControl] ?? ""
            #expect(cache.contains("public") && cache.contains("max-age=86400"), "\(cache)")
            #expect(css.texte.contains(":focus-visible"))
        }
    }

    @Test("what people type is escaped, never interpreted")
    func escaping() async throws {
        try await WebBanc.avec { banc in
            let navigateur = banc.navigateur()
            let answer = try await navigateur.connexion(#""><script>alert(1)</script>"#, "x")
            #expect(!answer.texte.contains("<script>alert(1)</script>"))
            #expect(answer.texte.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test("every role lands on its own home, with its own menu")
    func homes() async throws {
        try await WebBanc.avec { banc in
            let cases: [(Role, [String], String, String)] = [
                (.admin, [], "/admin", "Administration"),
                (.etablissement, ["uai:0750655E"], "/etablissement", "Accueil de l&#39;établissement"),
                (.correcteur, ["lot:L-042"], "/correcteur", "Mes lots"),
                (.interrogateur, [], "/correcteur", "Mes lots"),
                (.presidentJury, ["jury:J-7"], "/jury", "Mes jurys"),
                (.candidat, [], "/candidat", "Mon dossier"),
            ]
            for (role, scopes, home, title) in cases {
                let account = try await banc.compte(role, habilitations: scopes)
                let navigateur = banc.navigateur()
                #expect(try await navigateur.connexion(account.login, WebBanc.motDePasse).location == home, "\(role)")
                let page = try await navigateur.get(home)
                #expect(page.status == .ok, "\(role)")
                #expect(page.texte.contains("<h1>\(title)</h1>"), "\(role)")
                for scope in scopes {
                    #expect(page.texte.contains("<li>\(scope.split(separator: ":")[1])</li>"), "\(role) \(scope)")
                }
            }
        }
    }
}
