import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/traitements`: planned treatments and their runs (plan, suspend: gestionnaire; read:
/// gestionnaire, admin, service); `/v1/traitements/reservations` and `/v1/executions/:id/fin`:
/// the worker that runs them (service, admin).
struct TraitementRoutes: Sendable {
    let traitements: TraitementRepository

    struct PlanRequest: Decodable {
        var code: String
        var libelle: String
        var session: String?
        var prochaineExecution: Date
        var periodiciteMinutes: Int?
    }

    struct ReservationRequest: Decodable {
        var executant: String
        var limite: Int?
    }

    struct FinRequest: Decodable {
        var statut: String
        var resultat: String?
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("traitements") { request, context -> EditedResponse<Traitement> in
            let caller = try context.require(.gestionnaire)
            let body = try await request.corps(PlanRequest.self)
            var v = Verification()
            let code = v.champ("code") { () throws(DomainError) in try Champs.code(body.code, nom: "Le code de traitement", code: "traitement.code") }
            let libelle = v.champ("libelle") { () throws(DomainError) in try Champs.libelle(body.libelle) }
            let session = body.session.flatMap { texte in v.champ("session") { () throws(DomainError) in try SessionCode(texte) } }
            if let periodicite = body.periodiciteMinutes, !(1...525_600).contains(periodicite) {
                v.erreur("periodiciteMinutes", "traitement.periodicite", "La périodicité est un nombre de minutes entre 1 et 525600 (un an).")
            }
            try v.verifier()
            let traitement = try await traitements.planifier(
                .init(code: code!, libelle: libelle!, session: session, prochaineExecution: body.prochaineExecution, periodiciteMinutes: body.periodiciteMinutes),
                par: caller.subject)
            return EditedResponse(status: .created, response: traitement)
        }

        group.get("traitements") { request, context -> Page<Traitement> in
            try context.require(.gestionnaire, .admin, .service)
            var v = Verification()
            let pagination = Pagination(request, &v)
            let query = request.uri.queryParameters
            let session = query.get("session").flatMap { texte in v.champ("session") { () throws(DomainError) in try SessionCode(texte) } }
            var actif: Bool?
            if let texte = query.get("actif") {
                actif = ["true": true, "false": false][texte]
                if actif == nil { v.erreur("actif", "filtre.actif", "« true » ou « false » attendu (reçu « \(texte) »).") }
            }
            try v.verifier()
            let result = try await traitements.liste(session: session, actif: actif, pagination: pagination)
            return Page(items: result.items, total: result.total, pagination: pagination)
        }

        group.get("traitements/:id") { _, context -> Traitement in
            try context.require(.gestionnaire, .admin, .service)
            return try await traitements.get(try Self.id(context))
        }

        group.post("traitements/:id/suspension") { _, context -> Traitement in
            try context.require(.gestionnaire)
            return try await traitements.activer(try Self.id(context), false)
        }

        group.post("traitements/:id/reprise") { _, context -> Traitement in
            try context.require(.gestionnaire)
            return try await traitements.activer(try Self.id(context), true)
        }

        group.post("traitements/reservations") { request, context -> Liste<Execution> in
            try context.require(.service, .admin)
            let body = try await request.corps(ReservationRequest.self)
            var v = Verification()
            let executant = v.champ("executant") { () throws(DomainError) in try Champs.libelle(body.executant, maximum: 100, code: "execution.executant", nom: "L'exécutant") }
            let limite = body.limite ?? 10
            if !(1...100).contains(limite) { v.erreur("limite", "execution.limite", "La limite est comprise entre 1 et 100.") }
            try v.verifier()
            return Liste(items: try await traitements.reserver(executant: executant!, limite: limite))
        }

        group.post("executions/:id/fin") { request, context -> Execution in
            try context.require(.service, .admin)
            let id = try Self.id(context)
            let body = try await request.corps(FinRequest.self)
            guard let statut = Execution.Statut(rawValue: body.statut), statut != .enCours else {
                throw ServiceError.invalid(
                    "execution.statut", "Statut « \(body.statut) » invalide : reussie ou echouee.",
                    details: [.init(location: "statut", code: "execution.statut", message: "reussie ou echouee attendu.")])
            }
            return try await traitements.terminer(id, statut: statut, resultat: body.resultat.map { String($0.prefix(10_000)) })
        }
    }

    static func id(_ context: ServiceRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: context.parametre("id")) else {
            throw ServiceError.invalid(
                "identifiant.format", "Identifiant « \(context.parametre("id")) » invalide : un UUID est attendu.",
                details: [.init(location: "id", code: "identifiant.format", message: "UUID attendu.")])
        }
        return id
    }
}
