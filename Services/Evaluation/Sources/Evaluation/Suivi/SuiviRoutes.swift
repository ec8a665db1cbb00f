import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// `/v1/sessions/:code/suivi`, `…/correcteurs-non-commences`, `…/decharge.csv`,
/// `…/notes-manquantes`, `…/audit/verification`, `…/avancement`, `/v1/lots/:id/audit`,
/// `/v1/candidats/:id/notes`.
struct SuiviRoutes: Sendable {
    /// A candidate's grades as this service can give them: none by identity (see the route).
    struct NotesCandidat: ResponseEncodable, Decodable, Sendable {
        var candidat: String
        var disponibles: Bool
        var notes: [String]
        var message: String
    }

    let suivi: SuiviRepository
    let verification: VerificationAudit


    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/suivi") { request, context -> Liste<SuiviRepository.Ligne> in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            let texte = request.uri.queryParameters.get("par") ?? "lot"
            guard let axe = SuiviRepository.Axe(rawValue: texte) else {
                throw ServiceError.invalid("suivi.axe", "Regroupement « \(texte) » inconnu : lot, commission, centre ou unite.",
                                           details: [.init(location: "par", code: "suivi.axe", message: "Regroupement inconnu.")])
            }
            return Liste(items: try await suivi.suivi(
                session: try OrganisationRoutes.session(context), par: axe, unite: request.uri.queryParameters.get("unite"),
                centre: try Self.centre(request, appelant)))
        }

        group.get("sessions/:code/correcteurs-non-commences") { request, context -> Liste<SuiviRepository.CorrecteurEnRetard> in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            return Liste(items: try await suivi.correcteursNonCommences(
                session: try OrganisationRoutes.session(context), centre: try Self.centre(request, appelant)))
        }

        group.get("sessions/:code/decharge.csv") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let session = try OrganisationRoutes.session(context)
            let notes = try await suivi.decharge(
                session: session, unite: request.uri.queryParameters.get("unite"), centre: try Self.centre(request, appelant))
            var csv = "\u{FEFF}session;unite;lot;copie;note;saisie_par;source;modifiee_le\r\n"
            for n in notes {
                csv += [session, n.unite, String(n.lot), n.copie, n.note, n.par, n.source, n.le].map(Self.cellule).joined(separator: ";") + "\r\n"
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8",
                          .contentDisposition: "attachment; filename=\"decharge-\(session).csv\"", .cacheControl: "private, no-store"],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }

        group.get("sessions/:code/notes-manquantes") { request, context -> SuiviRepository.Manquantes in
            try context.require(.gestionnaire, .admin, .service)
            return try await suivi.manquantes(session: try OrganisationRoutes.session(context), unite: request.uri.queryParameters.get("unite"))
        }

        group.post("sessions/:code/audit/verification") { _, context -> VerificationAudit.Rapport in
            try context.require(.gestionnaire, .admin)
            return try await verification.verifier(session: try OrganisationRoutes.session(context))
        }

        // The gateway's dashboard.
        group.get("sessions/:code/avancement") { _, context -> SuiviRepository.Avancement in
            try context.require(.gestionnaire, .admin)
            let session = try OrganisationRoutes.session(context)
            guard let avancement = try await suivi.avancement(session: session) else {
                throw ServiceError.notFound("La session \(session) est inconnue du service d'évaluation (pas encore ouverte ?).")
            }
            return avancement
        }

        // The gateway's candidate file. Grades are kept by numéro d'anonymat only: this service
        // cannot, and must not, tell whose copy is whose. A candidate's grades reach him with his
        // result, once the deliberation lifts the anonymity; until then his file says so. Only the
        // candidate himself (his scope) and the gestionnaire may ask — never a grader.
        group.get("candidats/:id/notes") { _, context -> NotesCandidat in
            try context.require(.candidat, .gestionnaire, .admin)
            let id = try context.candidatDuChemin(refus: "Accès refusé : ces notes ne sont pas les vôtres.")
            return NotesCandidat(candidat: id, disponibles: false, notes: [],
                                 message: "Les copies sont notées sous anonymat : les notes sont communiquées avec le résultat, après la délibération.")
        }

        group.get("lots/:id/audit") { _, context -> Liste<SuiviRepository.Audit> in
            try context.require(.gestionnaire, .admin)
            return Liste(items: try await suivi.audit(lot: try OrganisationRoutes.id(context)))
        }
    }

    /// An établissement (centre de correction) follows only the lots it hosts.
    static func centre(_ request: Request, _ appelant: InternalIdentity) throws -> String? {
        let demande = request.uri.queryParameters.get("centre")
        guard appelant.role == .etablissement else { return demande }
        let uais = appelant.scopes.filter { $0.hasPrefix("uai:") }.map { String($0.dropFirst(4)) }
        guard let uai = demande ?? uais.first, uais.contains(uai) else {
            throw ServiceError.forbidden("Accès refusé : un établissement ne suit que les lots qu'il accueille.")
        }
        return uai
    }

    static func cellule(_ texte: String) -> String {
        var valeur = texte
        if let premier = valeur.first, "=+-@".contains(premier) { valeur = "'" + valeur }
        guard valeur.contains(where: { ";\"\r\n".contains($0) }) else { return valeur }
        return "\"" + valeur.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
