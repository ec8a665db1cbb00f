import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The double-submit CSRF token of the forms: a random value in the `cyclades_csrf` cookie
/// (HttpOnly, SameSite=Strict) repeated in each form's hidden `_csrf` field; a POST whose two
/// copies differ is refused.
enum CSRF {
    static let cookieName = "cyclades_csrf"
    static let field = "_csrf"

    /// The request's token when its cookie holds a well-formed one, else a new one to set.
    static func token(of request: Request) -> (token: String, isNew: Bool) {
        if let value = request.cookies[cookieName]?.value, isWellFormed(value) { return (value, false) }
        return (newToken(), true)
    }

    static func newToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 43 && value.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 95
        }
    }

    static func cookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: cookieName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// Whether the form's copy equals the cookie's, compared in constant time.
    static func verify(cookie: String?, field: String?) -> Bool {
        guard let cookie, let field, isWellFormed(cookie) else { return false }
        let a = Array(cookie.utf8)
        let b = Array(field.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Refusals particular to the pages.
enum WebRefusal: Error {
    /// The CSRF token of a form is missing or wrong.
    case csrf
}

/// `retour` of the login page: only a path of this site (`/…`, not `//host` nor `/\host`),
/// printable ASCII, else nil — never an open redirect.
func safeReturn(_ value: String?) -> String? {
    guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), value.utf8.count <= 2_000,
          value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" })
    else { return nil }
    return value
}

/// Around every page: security headers, no caching, and errors turned into French pages — an
/// anonymous visitor is sent to the login page, a wrong role gets a 403 page (audited), a bad
/// CSRF token a 403 page.
struct WebPageMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let renderer: WebRenderer
    let audit: AccessAudit

    static let securityHeaders: [(HTTPField.Name, String)] = [
        (HTTPField.Name("Content-Security-Policy")!, "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "same-origin"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = await page(for: error, request: request, context: context)
        }
        for (name, value) in Self.securityHeaders { response.headers[name] = value }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    private func page(for error: any Error, request: Request, context: Context) async -> Response {
        let target = "\(request.method.rawValue) \(request.uri.path)"
        switch error {
        case WebRefusal.csrf:
            try? await audit.record("refus", outcome: .refus, actor: context.identity?.subject,
                                    role: context.identity?.role.rawValue, address: context.remoteAddress,
                                    target: target, detail: "csrf")
            return await errorPage(
                .forbidden, "Formulaire expiré",
                "Ce formulaire a expiré ou ne provient pas de Cyclades BP. Rechargez la page et recommencez.",
                request: request, context: context)
        case let error as ServiceError where error.status == .unauthorized && context.identity == nil:
            var path = request.uri.path
            if request.method == .get, let query = request.uri.query, !query.isEmpty { path += "?" + query }
            return WebRenderer.redirect("/connexion?retour=\(Affichage.requete(path))")
        case let error as ServiceError where error.status == .forbidden || error.status == .unauthorized:
            try? await audit.record("refus", outcome: .refus, actor: context.identity?.subject,
                                    role: context.identity?.role.rawValue, address: context.remoteAddress,
                                    target: target, detail: error.code)
            return await errorPage(.forbidden, "Accès refusé", error.message, request: request, context: context)
        case let error as ServiceError:
            return await errorPage(error.status, Self.title(of: error.status), error.message, request: request, context: context)
        case let error as HTTPError:
            return await errorPage(error.status, Self.title(of: error.status), Self.title(of: error.status) + ".",
                                   request: request, context: context)
        default:
            context.logger.error("page failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return await errorPage(
                .internalServerError, "Erreur interne",
                "Une erreur inattendue est survenue. Réessayez dans un instant ; si elle persiste, signalez-la à l'assistance.",
                request: request, context: context)
        }
    }

    struct ErrorPage {
        var code: Int
        var titre: String
        var message: String
    }

    func errorPage(
        _ status: HTTPResponse.Status, _ title: String, _ message: String, request: Request, context: Context
    ) async -> Response {
        await renderer.render(
            "erreur", titre: title, page: ErrorPage(code: status.code, titre: title, message: message),
            request: request, context: context, status: status)
    }

    static func title(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "Requête invalide"
        case 403: "Accès refusé"
        case 404: "Page introuvable"
        case 409: "Conflit"
        case 413: "Envoi trop volumineux"
        case 422: "Saisie invalide"
        case 429: "Trop de tentatives"
        case 502, 503, 504: "Service indisponible"
        default: status.code >= 500 ? "Erreur interne" : "Erreur"
        }
    }
}
