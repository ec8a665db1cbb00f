import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Recognises the user behind a request: a session token as `Authorization: Bearer …` (API) or
/// in the `cyclades_session` cookie (web pages). Sets `context.identity` when valid; leaves it
/// nil otherwise — routes decide whether they need someone (`context.require(...)`).
struct UserSessionMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let sessions: SessionTokens

    static let cookieName = "cyclades_session"

    static func token(in request: Request) -> String? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return String(header.dropFirst("Bearer ".count))
        }
        return request.cookies[cookieName]?.value
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = Self.token(in: request), let (account, _) = await sessions.verify(token) {
            context.identity = account.identity
            context.logger[metadataKey: "caller"] = "\(account.role.rawValue):\(account.id.uuidString.lowercased())"
        }
        return try await next(request, context)
    }
}


/// CSRF on the JSON API: a browser sends the session cookie with any cross-site form, whose
/// body can only be form-encoded, multipart or plain text. So a request that changes something
/// (not GET or HEAD) and is authenticated by the cookie alone must say `application/json` — a
/// type no form can send and a cross-site script cannot set without the CORS preflight the
/// gateway never grants. Bearer-token callers (scripts, other systems) are not concerned.
struct CookieJSONMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method != .get, request.method != .head,
           request.headers[.authorization] == nil,
           request.cookies[UserSessionMiddleware.cookieName] != nil
        {
            let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType == "application/json" else {
                throw ServiceError(
                    .unsupportedMediaType, code: "requete.type",
                    message: "Une requête de l'API authentifiée par le cookie de session doit être envoyée en application/json.",
                    details: [.init(location: "Content-Type", code: "requete.type", message: "application/json attendu.")])
            }
        }
        return try await next(request, context)
    }
}
