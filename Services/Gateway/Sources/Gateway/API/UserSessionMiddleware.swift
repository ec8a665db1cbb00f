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

