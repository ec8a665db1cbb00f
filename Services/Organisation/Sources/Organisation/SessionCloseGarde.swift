import Domain
import Foundation
import Hummingbird
import ServiceKit

/// A closed session (its `reglementation.session.close` event kept in the copy): the établissement
/// no longer reaches its organisation data, the gestionnaire only reads it, the candidate keeps
/// his documents. Guards every `/v1/sessions/{code}/…` route; the routes addressed by candidature
/// apply `Portee.sessionClose` themselves.
struct SessionCloseGarde: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let referentiel: ReferentielRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let morceaux = request.uri.path.split(separator: "/")
        guard let index = morceaux.firstIndex(of: "sessions"), index + 1 < morceaux.count,
              let code = try? SessionCode(String(morceaux[index + 1])),
              let appelant = context.identity
        else { return try await next(request, context) }
        guard let session = try await referentiel.session(code), session.close else { return try await next(request, context) }
        try Portee.sessionClose(appelant, session: code.value, ecriture: request.method != .get && request.method != .head)
        return try await next(request, context)
    }
}

extension Portee {
    /// Refuses what a closed session no longer allows: anything to an établissement, writes to anyone
    /// but the services themselves; candidates keep reading their convocations.
    static func sessionClose(_ appelant: InternalIdentity, session: String, ecriture: Bool) throws {
        switch appelant.role {
        case .etablissement:
            throw ServiceError.forbidden("Accès refusé : la session \(session) est close, son organisation n'est plus accessible aux établissements.")
        case .service:
            return
        default:
            if ecriture {
                throw ServiceError.conflict("session.close", "La session \(session) est close : son organisation ne peut plus être modifiée, seulement consultée.")
            }
        }
    }
}
