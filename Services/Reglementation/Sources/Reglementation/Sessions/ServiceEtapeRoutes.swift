import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/services/...`: the step services of a session, opened and closed by the
/// gestionnaire; `/v1/sessions/:code/historique`: the session's timeline.
struct ServiceEtapeRoutes: Sendable {
    let services: ServiceEtapeRepository

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/services") { _, context -> Liste<EtatServiceEtape> in
            try context.require(.gestionnaire, .admin, .service)
            let code = try SessionRoutes.code(context)
            let result = try await services.services(of: code)
            guard !result.isEmpty else { throw SessionVerrouillee.inconnue(code) }
            return Liste(items: result)
        }

        group.put("sessions/:code/services/:service/calendrier") { request, context -> EtatServiceEtape in
            let caller = try context.require(.gestionnaire)
            let code = try SessionRoutes.code(context)
            let service = try Self.service(context)
            let body = try await request.corps(DatesPrevues.self)
            var v = Verification()
            let dates = Self.verifier(body, prefixe: "", &v)
            try v.verifier()
            return try await services.planifier(service, of: code, dates: dates!, by: caller.subject)
        }

        group.post("sessions/:code/services/:service/ouverture") { _, context -> EtatServiceEtape in
            let caller = try context.require(.gestionnaire)
            return try await services.ouvrir(try Self.service(context), of: try SessionRoutes.code(context), by: caller.subject)
        }

        group.post("sessions/:code/services/:service/fermeture") { _, context -> EtatServiceEtape in
            let caller = try context.require(.gestionnaire)
            return try await services.fermer(try Self.service(context), of: try SessionRoutes.code(context), by: caller.subject)
        }

        group.get("sessions/:code/historique") { request, context -> Page<EvenementHistorique> in
            try context.require(.gestionnaire, .admin, .service)
            let code = try SessionRoutes.code(context)
            let pagination = try Pagination(request)
            let result = try await services.historique(of: code, pagination: pagination)
            if result.total == 0 { throw SessionVerrouillee.inconnue(code) }
            return Page(items: result.evenements, total: result.total, pagination: pagination)
        }
    }

    static func service(_ context: ServiceRequestContext) throws -> ServiceEtape {
        let nom = context.parametre("service")
        guard let service = ServiceEtape(rawValue: nom) else {
            throw ServiceError(
                .notFound, code: "service.inconnu",
                message: "Service « \(nom) » inconnu : \(ServiceEtape.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return service
    }

    /// Checked planned days (the closing day not before the opening day), or nil after recording
    /// the errors.
    static func verifier(_ dates: DatesPrevues, prefixe: String, _ v: inout Verification) -> DatesPrevues? {
        let avant = v.details.count
        let ouverture = dates.ouverture.flatMap { texte in v.champ("\(prefixe)ouverture") { () throws(DomainError) in try Champs.jour(texte) } }
        let fermeture = dates.fermeture.flatMap { texte in v.champ("\(prefixe)fermeture") { () throws(DomainError) in try Champs.jour(texte) } }
        if let ouverture, let fermeture, fermeture < ouverture {
            v.erreur("\(prefixe)fermeture", "calendrier.ordre", "La fermeture prévue (\(fermeture)) précède l'ouverture prévue (\(ouverture)).")
        }
        return v.details.count == avant ? DatesPrevues(ouverture: ouverture, fermeture: fermeture) : nil
    }
}
