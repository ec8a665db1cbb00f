import Contracts
import Domain
import Foundation
import Hummingbird
import Referentiel
import ServiceKit

/// What the gateway's public results site is made of, for the gateway alone (role `service`):
/// `GET /v1/public/generation` (one number, read every second: it grows at each release) and
/// `GET /v1/public/resultats` (every released result: the name only with consent, the lookup key
/// instead of the birth date). The gateway precomputes its pages from them; no visitor's hit
/// reaches this service.
struct PublicRoutes: Sendable {
    let publications: PublicationRepository
    let referentiel: ReferentielReglementation

    struct Generation: ResponseEncodable, Sendable {
        var generation: Int64
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("public/generation") { _, context -> Generation in
            try context.require(.service)
            return Generation(generation: try await publications.generation())
        }

        group.get("public/resultats") { _, context -> PublicationRepository.Publics in
            try context.require(.service)
            return try await publications.publics { session in
                var libelles: [String: String] = [:]
                for offerte in try await referentiel.session(session)?.reglement?.specialites ?? [] {
                    libelles[offerte.reglement.specialite] = offerte.reglement.libelle
                }
                return libelles
            }
        }
    }
}
