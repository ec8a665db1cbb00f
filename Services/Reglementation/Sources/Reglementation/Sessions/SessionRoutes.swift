import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions`: open a session (gestionnaire), list and read them (gestionnaire, admin,
/// service), close one (gestionnaire).
struct SessionRoutes: Sendable {
    let sessions: SessionRepository

    struct OpenRequest: Decodable {
        var code: String
        var academie: String
        var libelle: String
        var sessionNormale: String?
        var debutEpreuves: String?
        var finEpreuves: String?
        /// Planned days per service: `{"inscription_etablissement": {"ouverture": "2027-01-04", "fermeture": "2027-02-12"}}`.
        var calendrier: [String: DatesPrevues]?
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions") { request, context -> EditedResponse<Session> in
            let caller = try context.require(.gestionnaire)
            let body = try await request.corps(OpenRequest.self)
            let session = try await sessions.open(try Self.verifier(body), by: caller.subject)
            return EditedResponse(status: .created, response: session)
        }

        group.get("sessions") { request, context -> Page<Session> in
            try context.require(.gestionnaire, .admin, .service)
            var verification = Verification()
            let pagination = Pagination(request, &verification)
            let query = request.uri.queryParameters
            let academie = query.get("academie").flatMap { texte in verification.champ("academie") { () throws(DomainError) in try Champs.academie(texte) } }
            var nature: SessionCode.Nature?
            if let texte = query.get("nature") {
                nature = SessionCode.Nature(rawValue: texte)
                if nature == nil { verification.erreur("nature", "filtre.nature", "Nature « \(texte) » inconnue : normale, remplacement ou vae.") }
            }
            var etat: Session.Etat?
            if let texte = query.get("etat") {
                etat = Session.Etat(rawValue: texte)
                if etat == nil { verification.erreur("etat", "filtre.etat", "État « \(texte) » inconnu : ouverte ou close.") }
            }
            try verification.verifier()
            let result = try await sessions.list(academie: academie, nature: nature, etat: etat, pagination: pagination)
            return Page(items: result.sessions, total: result.total, pagination: pagination)
        }

        group.get("sessions/:code") { _, context -> Session in
            try context.require(.gestionnaire, .admin, .service)
            return try await sessions.get(try Self.code(context))
        }

        group.post("sessions/:code/cloture") { _, context -> Session in
            let caller = try context.require(.gestionnaire)
            return try await sessions.close(try Self.code(context), by: caller.subject)
        }
    }

    /// The session code of the path, or 422 naming `session`.
    static func code(_ context: ServiceRequestContext) throws -> SessionCode {
        try ServiceError.validating(field: "session") { () throws(DomainError) in try SessionCode(context.parametre("code")) }
    }

    static func verifier(_ body: OpenRequest) throws -> NouvelleSession {
        var v = Verification()
        let code = v.champ("code") { () throws(DomainError) in try SessionCode(body.code) }
        let academie = v.champ("academie") { () throws(DomainError) in try Champs.academie(body.academie) }
        let libelle = v.champ("libelle") { () throws(DomainError) in try Champs.libelle(body.libelle) }
        var normale: SessionCode?
        if let texte = body.sessionNormale {
            normale = v.champ("sessionNormale") { () throws(DomainError) in try SessionCode(texte) }
            if let code, code.nature != .remplacement {
                v.erreur("sessionNormale", "session.normale_interdite", "Seule une session de remplacement (code en -R) est rattachée à une session normale.")
            }
        }
        let debut = body.debutEpreuves.flatMap { texte in v.champ("debutEpreuves") { () throws(DomainError) in try Champs.jour(texte) } }
        let fin = body.finEpreuves.flatMap { texte in v.champ("finEpreuves") { () throws(DomainError) in try Champs.jour(texte) } }
        if let debut, let fin, fin < debut {
            v.erreur("finEpreuves", "session.dates", "La fin des épreuves (\(fin)) précède leur début (\(debut)).")
        }
        var calendrier: [ServiceEtape: DatesPrevues] = [:]
        for (nom, dates) in (body.calendrier ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let service = ServiceEtape(rawValue: nom) else {
                v.erreur("calendrier.\(nom)", "service.inconnu", "Service « \(nom) » inconnu : \(ServiceEtape.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            if let verifiees = ServiceEtapeRoutes.verifier(dates, prefixe: "calendrier.\(nom).", &v) { calendrier[service] = verifiees }
        }
        try v.verifier()
        return NouvelleSession(
            code: code!, academie: academie!, libelle: libelle!, sessionNormale: normale, debutEpreuves: debut,
            finEpreuves: fin, calendrier: calendrier)
    }
}
