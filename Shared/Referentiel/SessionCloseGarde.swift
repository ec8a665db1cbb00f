import Domain
import Foundation
import Hummingbird
import ServiceKit

/// A closed session (its `reglementation.session.close` event kept in the copy): the établissement
/// no longer reaches its data, the gestionnaire only reads it, the candidate keeps his documents.
/// Guards every `/v1/sessions/{code}/…` route of a service that adds it; the routes addressed by
/// candidature apply `AccesSessionClose.verifier` themselves.
public struct SessionCloseGarde: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let referentiel: ReferentielReglementation

    public init(referentiel: ReferentielReglementation) {
        self.referentiel = referentiel
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let morceaux = request.uri.path.split(separator: "/")
        guard let index = morceaux.firstIndex(of: "sessions"), index + 1 < morceaux.count,
              let code = try? SessionCode(String(morceaux[index + 1])),
              let appelant = context.identity
        else { return try await next(request, context) }
        try await AccesSessionClose.verifier(appelant, session: code, referentiel: referentiel,
                                        ecriture: request.method != .get && request.method != .head)
        return try await next(request, context)
    }
}

/// What a closed session still allows, whichever service keeps it.
public enum AccesSessionClose {
    /// Refuses what a closed session no longer allows: anything to an établissement, writes to
    /// anyone but the services themselves; candidates and the gestionnaire keep reading.
    public static func verifier(_ appelant: InternalIdentity, session: String, ecriture: Bool) throws {
        switch appelant.role {
        case .etablissement:
            throw ServiceError.forbidden("Accès refusé : la session \(session) est close, elle n'est plus accessible aux établissements.")
        case .service:
            return
        default:
            if ecriture {
                throw ServiceError.conflict("session.close", "La session \(session) est close : ses données ne peuvent plus être modifiées, seulement consultées.")
            }
        }
    }

    /// The same rule for a session known by its code, read from the service's copy (a session
    /// the copy does not know is not closed: the route answers for it).
    public static func verifier(_ appelant: InternalIdentity, session code: SessionCode,
                                referentiel: ReferentielReglementation, ecriture: Bool) async throws {
        // Only an établissement's request or a write can be refused: the others skip the query.
        guard appelant.role != .service, appelant.role == .etablissement || ecriture,
              try await referentiel.estClose(code) else { return }
        try verifier(appelant, session: code.value, ecriture: ecriture)
    }
}
