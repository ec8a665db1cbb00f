import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `/api/v1/auth/...`: login, logout, who am I, activation, papillon activation, reset, and a
/// Grand Public candidate's own account.
struct AuthRoutes: Sendable {
    let identity: IdentityService
    let secureCookies: Bool

    struct LoginRequest: Decodable { var identifiant: String; var motDePasse: String }
    struct LoginAnswer: ResponseEncodable { var jeton: String; var expireLe: Date; var compte: Account }
    struct ActivationRequest: Decodable { var jeton: String; var motDePasse: String }
    struct PapillonActivationRequest: Decodable { var identifiant: String; var code: String; var motDePasse: String }
    struct ResetDemand: Decodable { var identifiant: String }
    struct Message: ResponseEncodable { var message: String }

    static let registrationAnswer = "Votre demande est enregistrée. Si cet identifiant est libre, un courriel vient d'être envoyé à l'adresse indiquée : suivez son lien, valable 7 jours, pour choisir votre mot de passe. Sans nouvelles, vérifiez l'adresse saisie et vos courriers indésirables ; l'identifiant est peut-être déjà pris : recommencez avec un autre, ou utilisez « mot de passe oublié » si ce compte est le vôtre."

    static let resetAnswer = "Si un compte correspond à cet identifiant, un lien de réinitialisation vient d'être envoyé à son adresse électronique."

    func add(to api: RouterGroup<ServiceRequestContext>) {
        let auth = api.group("auth")
        auth.post("connexion") { request, context -> Response in
            let body = try await request.corps(LoginRequest.self)
            let session = try await identity.login(
                body.identifiant, password: body.motDePasse, address: context.remoteAddress,
                userAgent: request.headers[.userAgent])
            var response = try LoginAnswer(jeton: session.token, expireLe: session.expires, compte: session.account)
                .response(from: request, context: context)
            response.setCookie(sessionCookie(session.token, expires: session.expires))
            return response
        }
        auth.post("deconnexion") { request, context -> Response in
            let caller = try context.caller()
            if let token = UserSessionMiddleware.token(in: request), let (account, session) = await identity.sessions.verify(token) {
                try await identity.logout(session: session, account: account, address: context.remoteAddress)
            }
            _ = caller
            var response = Response(status: .noContent)
            response.setCookie(Cookie(name: UserSessionMiddleware.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict))
            return response
        }
        auth.get("moi") { _, context -> Account in
            let caller = try context.caller()
            guard let id = UUID(uuidString: caller.subject), let account = try await identity.accounts.find(id: id) else {
                throw ServiceError.unauthenticated
            }
            return account
        }
        auth.post("activation") { request, context -> Account in
            let body = try await request.corps(ActivationRequest.self)
            return try await identity.setPassword(purpose: .activation, secret: body.jeton, password: body.motDePasse, address: context.remoteAddress)
        }
        auth.post("activation-papillon") { request, context -> Account in
            let body = try await request.corps(PapillonActivationRequest.self)
            return try await identity.setPassword(
                purpose: .papillon, secret: OneTimeTokens.canonical(paperCode: body.code), password: body.motDePasse,
                expectedLogin: body.identifiant, address: context.remoteAddress)
        }
        // A Grand Public candidate opens his own account; the answer is the same whether the
        // identifiant was free or not (and a taken one mails nobody).
        auth.post("inscription") { request, context -> EditedResponse<Message> in
            let body = try await request.corps(IdentityService.SelfRegistration.self)
            try await identity.register(body, address: context.remoteAddress)
            return EditedResponse(status: .accepted, response: Message(message: Self.registrationAnswer))
        }
        auth.post("reinitialisation/demande") { request, context -> EditedResponse<Message> in
            let body = try await request.corps(ResetDemand.self)
            try await identity.requestReset(body.identifiant, address: context.remoteAddress)
            return EditedResponse(status: .accepted, response: Message(message: Self.resetAnswer))
        }
        auth.post("reinitialisation") { request, context -> Account in
            let body = try await request.corps(ActivationRequest.self)
            return try await identity.setPassword(purpose: .reinitialisation, secret: body.jeton, password: body.motDePasse, address: context.remoteAddress)
        }
    }

    func sessionCookie(_ token: String, expires: Date) -> Cookie {
        Cookie(name: UserSessionMiddleware.cookieName, value: token, expires: expires, path: "/",
               secure: secureCookies, httpOnly: true, sameSite: .strict)
    }
}
