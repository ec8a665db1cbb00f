import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import Referentiel
import ServiceKit
import Storage

/// The gestionnaire's publication: `GET /v1/sessions/:code/publication` (embargo or release, the
/// last reconciliation and its écarts, the results republished since), `POST …/verification`
/// (reconcile now, and release when the step is open and nothing differs), `POST …/rediffusion`
/// (the session's result messages sent again to outside bodies, on request), and
/// `GET /v1/sessions/:code/resultats` (the released results, paged: the gestionnaire's, an
/// établissement's own students', a centre's).
struct PublicationRoutes: Sendable {
    let database: Database
    let publications: PublicationRepository
    let liberation: Liberation
    let outbox: OutboxWriter

    struct Rediffusion: ResponseEncodable, Sendable {
        var messages: Int
    }

    static let decisions = ["admis", "ajourne", "en_cours", "absent"]

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/publication") { _, context -> PublicationRepository.Etat in
            try context.require(.gestionnaire, .admin)
            return try await etat(try context.sessionDuChemin())
        }

        group.post("sessions/:code/publication/verification") { _, context -> PublicationRepository.Etat in
            let appelant = try context.require(.gestionnaire)
            let session = try context.sessionDuChemin()
            _ = try await etat(session)
            let bilan = try await database.transaction { connection in
                try await liberation.verifier(session, on: connection, outbox: outbox)
            }
            context.logger.info("publication verified", metadata: [
                "session": "\(session)", "par": "\(appelant.subject)", "ecarts": "\(bilan.ecarts.count)", "publies": "\(bilan.publies)"])
            return try await etat(session)
        }

        group.post("sessions/:code/publication/rediffusion") { _, context -> Rediffusion in
            let appelant = try context.require(.gestionnaire)
            let session = try context.sessionDuChemin()
            guard try await etat(session).publieeLe != nil else {
                throw ServiceError.conflict("publication.embargo", "Les résultats de la session \(session) ne sont pas publiés : il n'y a rien à rediffuser.")
            }
            let nombre = try await database.transaction { connection in
                let messages = try await liberation.messages(session, candidatures: nil, on: connection)
                try await outbox.write(try Liberation.entrees(messages, outbox: outbox), on: connection, logger: context.logger)
                return messages.count
            }
            context.logger.notice("result messages sent again", metadata: [
                "session": "\(session)", "par": "\(appelant.subject)", "messages": "\(nombre)"])
            return Rediffusion(messages: nombre)
        }

        // Released results only: before the release an établissement (or anyone) gets an empty list.
        group.get("sessions/:code/resultats") { request, context -> Page<PublicationRepository.LigneResultat> in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            let session = try context.sessionDuChemin()
            var v = Verification()
            let pagination = Pagination(request, &v)
            let query = request.uri.queryParameters
            let decision = query.get("decision").flatMap { $0.isEmpty ? nil : $0 }
            if let decision, !Self.decisions.contains(decision) {
                v.erreur("decision", "resultat.decision", "Décision « \(decision) » inconnue : \(Self.decisions.joined(separator: ", ")).")
            }
            let specialite = query.get("specialite").flatMap { $0.isEmpty ? nil : $0 }
            if let specialite, specialite.count > 40 {
                v.erreur("specialite", "resultat.specialite", "Spécialité invalide (40 caractères au plus).")
            }
            var etablissement = query.get("etablissement").flatMap { $0.isEmpty ? nil : $0 }
            if let texte = etablissement {
                do throws(DomainError) { etablissement = try UAI(texte).value } catch { v.erreur("etablissement", error) }
            }
            try v.verifier()
            etablissement = try ExtractionRoutes.portee(etablissement, appelant)
            let (items, total) = try await publications.liste(
                session, filtre: .init(decision: decision, specialite: specialite, etablissement: etablissement), pagination: pagination)
            return Page(items: items, total: total, pagination: pagination)
        }
    }

    private func etat(_ session: SessionCode) async throws -> PublicationRepository.Etat {
        guard let etat = try await publications.etat(session) else {
            throw ServiceError.notFound("La session \(session) est inconnue du service de publication.")
        }
        return etat
    }
}
