import Foundation
import Hummingbird
import ServiceKit

/// Login, logout, choosing a password (activation link, reset link, papillon code) and asking
/// for a reset.
struct AuthPages: Sendable {
    let identity: IdentityService
    let renderer: WebRenderer
    let auth: AuthRoutes

    static let passwordHelp = "Au moins 12 caractères, mêlant au moins trois sortes : minuscules, majuscules, chiffres, symboles."

    struct ConnexionPage {
        var formulaire: Formulaire.Vue
        var retour: String?
        var notice: String?
    }

    struct PasswordPage {
        var action: String
        var intro: String
        var jeton: String
        var lienAbsent: Bool
        var formulaire: Formulaire.Vue
    }

    struct ResetDemandPage {
        var envoye: String?
        var formulaire: Formulaire.Vue
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("connexion") { request, context -> Response in
            let query = request.uri.queryParameters
            if let caller = context.identity, caller.role != .service {
                return WebRenderer.redirect(safeReturn(query.get("retour")) ?? WebRenderer.home(of: caller.role))
            }
            let notice: String? =
                query.get("deconnecte") != nil ? "Vous êtes déconnecté." :
                query.get("motdepasse") != nil ? "Votre mot de passe est enregistré : vous pouvez vous connecter." : nil
            return await connexion(Self.loginForm(), retour: safeReturn(query.get("retour")), notice: notice,
                                   request: request, context: context)
        }
        web.post("connexion") { request, context -> Response in
            let form = try await WebForm.read(request)
            let retour = safeReturn(form["retour"])
            var formulaire = Self.loginForm(identifiant: form["identifiant"])
            if form["identifiant"].isEmpty { formulaire.erreur("identifiant", "Saisissez votre identifiant.") }
            if form.raw("motDePasse").isEmpty { formulaire.erreur("motDePasse", "Saisissez votre mot de passe.") }
            guard !formulaire.hasErrors else {
                return await connexion(formulaire, retour: retour, request: request, context: context, status: .unprocessableContent)
            }
            let session: IdentityService.Session
            do {
                session = try await identity.login(
                    form["identifiant"], password: form.raw("motDePasse"), address: context.remoteAddress,
                    userAgent: request.headers[.userAgent])
            } catch let error as ServiceError {
                if error.code == IdentityService.badCredentials.code {
                    formulaire.erreur("motDePasse", error.message)
                } else {
                    formulaire.erreurGenerale = error.message
                }
                return await connexion(formulaire, retour: retour, request: request, context: context, status: error.status)
            }
            var response = WebRenderer.redirect(retour ?? WebRenderer.home(of: session.account.role))
            response.setCookie(auth.sessionCookie(session.token, expires: session.expires))
            // A new CSRF token for the new session.
            response.setCookie(CSRF.cookie(CSRF.newToken(), secure: renderer.secureCookies))
            return response
        }
        web.post("deconnexion") { request, context -> Response in
            _ = try await WebForm.read(request)
            if let token = UserSessionMiddleware.token(in: request), let (account, session) = await identity.sessions.verify(token) {
                try await identity.logout(session: session, account: account, address: context.remoteAddress)
            }
            var response = WebRenderer.redirect("/connexion?deconnecte=1")
            response.setCookie(Cookie(name: UserSessionMiddleware.cookieName, value: "", maxAge: 0, path: "/",
                                      secure: renderer.secureCookies, httpOnly: true, sameSite: .strict))
            return response
        }

        for (path, purpose) in [("activation", OneTimeTokens.Purpose.activation), ("reinitialisation", .reinitialisation)] {
            web.get(RouterPath(path)) { request, context -> Response in
                let jeton = request.uri.queryParameters.get("jeton") ?? ""
                return await passwordPage(purpose, jeton: jeton, Self.passwordForm(), request: request, context: context)
            }
            web.post(RouterPath(path)) { request, context -> Response in
                let form = try await WebForm.read(request)
                var formulaire = Self.passwordForm()
                Self.checkTwice(form, &formulaire)
                if !formulaire.hasErrors {
                    do {
                        _ = try await identity.setPassword(
                            purpose: purpose, secret: form["jeton"], password: form.raw("motDePasse"), address: context.remoteAddress)
                        return WebRenderer.redirect("/connexion?motdepasse=1")
                    } catch let error as ServiceError {
                        formulaire.apply(error)
                    }
                }
                return await passwordPage(purpose, jeton: form["jeton"], formulaire, request: request, context: context,
                                          status: .unprocessableContent)
            }
        }

        web.get("activation-papillon") { request, context -> Response in
            await renderer.render("activation-papillon", titre: "Activer mon compte avec mon papillon",
                                  page: ["formulaire": Self.papillonForm().vue], request: request, context: context)
        }
        web.post("activation-papillon") { request, context -> Response in
            let form = try await WebForm.read(request)
            var formulaire = Self.papillonForm(identifiant: form["identifiant"], code: form["code"])
            if form["identifiant"].isEmpty { formulaire.erreur("identifiant", "Saisissez l'identifiant imprimé sur votre papillon.") }
            if form["code"].isEmpty { formulaire.erreur("code", "Saisissez le code imprimé sur votre papillon.") }
            Self.checkTwice(form, &formulaire)
            if !formulaire.hasErrors {
                do {
                    _ = try await identity.setPassword(
                        purpose: .papillon, secret: OneTimeTokens.canonical(paperCode: form["code"]),
                        password: form.raw("motDePasse"), expectedLogin: form["identifiant"], address: context.remoteAddress)
                    return WebRenderer.redirect("/connexion?motdepasse=1")
                } catch let error as ServiceError {
                    if error.code == "lien.invalide" {
                        formulaire.erreur("code", "Cet identifiant et ce code ne correspondent pas, ou le code a déjà servi ou a expiré.")
                    } else {
                        formulaire.apply(error)
                    }
                }
            }
            return await renderer.render("activation-papillon", titre: "Erreur : activer mon compte avec mon papillon",
                                         page: ["formulaire": formulaire.vue], request: request, context: context,
                                         status: .unprocessableContent)
        }

        web.get("mot-de-passe-oublie") { request, context -> Response in
            let sent = request.uri.queryParameters.get("envoye") != nil ? AuthRoutes.resetAnswer : nil
            return await renderer.render("mot-de-passe-oublie", titre: "Mot de passe oublié",
                                         page: ResetDemandPage(envoye: sent, formulaire: Self.resetDemandForm().vue),
                                         request: request, context: context)
        }
        web.post("mot-de-passe-oublie") { request, context -> Response in
            let form = try await WebForm.read(request)
            guard !form["identifiant"].isEmpty else {
                var formulaire = Self.resetDemandForm()
                formulaire.erreur("identifiant", "Saisissez votre identifiant.")
                return await renderer.render("mot-de-passe-oublie", titre: "Erreur : mot de passe oublié",
                                             page: ResetDemandPage(formulaire: formulaire.vue), request: request,
                                             context: context, status: .unprocessableContent)
            }
            try await identity.requestReset(form["identifiant"], address: context.remoteAddress)
            return WebRenderer.redirect("/mot-de-passe-oublie?envoye=1")
        }
    }

    // MARK: Pages and forms

    private func connexion(
        _ formulaire: Formulaire, retour: String?, notice: String? = nil, request: Request,
        context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async -> Response {
        await renderer.render(
            "connexion", titre: formulaire.hasErrors ? "Erreur : connexion" : "Connexion",
            page: ConnexionPage(formulaire: formulaire.vue, retour: retour, notice: notice),
            request: request, context: context, status: status)
    }

    private func passwordPage(
        _ purpose: OneTimeTokens.Purpose, jeton: String, _ formulaire: Formulaire, request: Request,
        context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async -> Response {
        let activation = purpose == .activation
        let title = activation ? "Activer mon compte" : "Choisir un nouveau mot de passe"
        let page = PasswordPage(
            action: activation ? "/activation" : "/reinitialisation",
            intro: activation
                ? "Choisissez le mot de passe de votre compte Cyclades BP. Le lien reçu par courriel ne sert qu'une fois."
                : "Choisissez un nouveau mot de passe. Le lien reçu par courriel ne sert qu'une fois et pendant une heure.",
            jeton: jeton, lienAbsent: jeton.isEmpty, formulaire: formulaire.vue)
        return await renderer.render("mot-de-passe", titre: formulaire.hasErrors ? "Erreur : \(title.lowercased())" : title,
                                     page: page, request: request, context: context, status: status)
    }

    static func loginForm(identifiant: String = "") -> Formulaire {
        Formulaire([
            Champ("identifiant", "Identifiant", valeur: identifiant, autocomplete: "username"),
            Champ("motDePasse", "Mot de passe", type: "password", autocomplete: "current-password"),
        ])
    }

    static func passwordForm() -> Formulaire {
        Formulaire([
            Champ("motDePasse", "Nouveau mot de passe", type: "password", aide: passwordHelp, autocomplete: "new-password"),
            Champ("confirmation", "Confirmez le mot de passe", type: "password", autocomplete: "new-password"),
        ])
    }

    static func papillonForm(identifiant: String = "", code: String = "") -> Formulaire {
        Formulaire([
            Champ("identifiant", "Identifiant", valeur: identifiant, aide: "Tel qu'imprimé sur votre papillon.", autocomplete: "username"),
            Champ("code", "Code d'activation", valeur: code, aide: "Tel qu'imprimé sur votre papillon, tirets compris ou non.",
                  autocomplete: "one-time-code"),
            Champ("motDePasse", "Mot de passe", type: "password", aide: passwordHelp, autocomplete: "new-password"),
            Champ("confirmation", "Confirmez le mot de passe", type: "password", autocomplete: "new-password"),
        ])
    }

    static func resetDemandForm() -> Formulaire {
        Formulaire([Champ("identifiant", "Identifiant", autocomplete: "username")])
    }

    /// The password typed twice: present and identical.
    static func checkTwice(_ form: WebForm, _ formulaire: inout Formulaire) {
        if form.raw("motDePasse").isEmpty {
            formulaire.erreur("motDePasse", "Saisissez un mot de passe.")
        } else if form.raw("confirmation") != form.raw("motDePasse") {
            formulaire.erreur("confirmation", "Les deux saisies du mot de passe ne sont pas identiques.")
        }
    }
}
