import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions`: open a session (gestionnaire), list them (any authenticated staff role).
struct SessionRoutes: Sendable {
    let sessions: SessionRepository

    struct OpenRequest: Decodable {
        var code: String
        var academie: String
        var libelle: String
    }

    struct Page: ResponseEncodable {
        var items: [Session]
        var total: Int
        var page: Int
        var taille: Int
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions") { request, context -> EditedResponse<Session> in
            let caller = try context.require(.gestionnaire)
            let body = try await request.decode(as: OpenRequest.self, context: context)
            let code = try ServiceError.validating(field: "code") { () throws(DomainError) in try SessionCode(body.code) }
            let academie = body.academie.trimmingCharacters(in: .whitespaces).uppercased()
            guard academie.wholeMatch(of: /A[0-9]{2}/) != nil else {
                throw ServiceError.invalid(
                    "academie.format", "Code académie « \(body.academie) » invalide : attendu A suivi de deux chiffres (ex. A01).",
                    details: [.init(location: "academie", code: "academie.format", message: "Attendu A suivi de deux chiffres.")])
            }
            let libelle = body.libelle.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(libelle.count) else {
                throw ServiceError.invalid(
                    "libelle.longueur", "Le libellé est obligatoire (200 caractères au plus).",
                    details: [.init(location: "libelle", code: "libelle.longueur", message: "1 à 200 caractères.")])
            }
            let session = try await sessions.open(code: code, academie: academie, libelle: libelle, by: caller.subject)
            return EditedResponse(status: .created, response: session)
        }

        group.get("sessions") { request, context -> Page in
            try context.require(.gestionnaire, .admin, .service)
            let page = max(1, request.uri.queryParameters.get("page", as: Int.self) ?? 1)
            let taille = min(200, max(1, request.uri.queryParameters.get("taille", as: Int.self) ?? 50))
            let academie = request.uri.queryParameters.get("academie")
            let result = try await sessions.list(academie: academie, limit: taille, offset: (page - 1) * taille)
            return Page(items: result.sessions, total: result.total, page: page, taille: taille)
        }
    }
}
