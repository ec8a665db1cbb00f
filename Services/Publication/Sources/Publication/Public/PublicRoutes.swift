import Contracts
import Domain
import Foundation
import Hummingbird
import Referentiel
import ServiceKit

/// What the gateway's public results site is made of, for the gateway alone (role `service`):
/// `GET /v1/public/generation` (one number, read every second: it grows at each release),
/// `GET /v1/public/sessions` (the released sessions, each with its version), and
/// `GET /v1/public/sessions/:code/resultats?apres=&taille=` (a session's released results by pages
/// of at most 20,000, by numéro: the name only with consent, the lookup key instead of the birth
/// date). The gateway precomputes its pages from them, re-reading only the sessions whose version
/// moved; no visitor's hit reaches this service.
struct PublicRoutes: Sendable {
    let publications: PublicationRepository
    let referentiel: ReferentielReglementation

    struct Generation: ResponseEncodable, Sendable {
        var generation: Int64
    }

    static let tailleMaximale = 20_000

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("public/generation") { _, context -> Generation in
            try context.require(.service)
            return Generation(generation: try await publications.generation())
        }

        group.get("public/sessions") { _, context -> PublicationRepository.SessionsPubliques in
            try context.require(.service)
            return try await publications.sessionsPubliques { session in
                var libelles: [String: String] = [:]
                for offerte in try await referentiel.session(session)?.reglement?.specialites ?? [] {
                    libelles[offerte.reglement.specialite] = offerte.reglement.libelle
                }
                return libelles
            }
        }

        group.get("public/sessions/:code/resultats") { request, context -> PublicationRepository.PagePublique in
            try context.require(.service)
            let session = try context.sessionDuChemin()
            let query = request.uri.queryParameters
            let texte = query.get("taille") ?? "\(Self.tailleMaximale)"
            guard let taille = Int(texte), (1...Self.tailleMaximale).contains(taille) else {
                throw ServiceError.invalid("public.taille", "Taille de page « \(texte) » invalide : de 1 à \(Self.tailleMaximale).",
                                           details: [.init(location: "taille", code: "public.taille", message: "1 à \(Self.tailleMaximale).")])
            }
            let apres = query.get("apres").flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
            return try await publications.pagePublique(session, apres: apres, taille: taille)
        }
    }
}
