import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/centres`: the centres of a session and their roles (writes: gestionnaire;
/// reads: gestionnaire, admin, service, and an établissement for its own UAI).
struct CentreRoutes: Sendable {
    let centres: CentreRepository

    struct DeclarationRequest: Decodable {
        var roles: [String]
        var gestionAutonome: Bool?
        var salles: [Salle]?
    }

    static let placesMaximum = 2000

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.put("sessions/:code/centres/:uai") { request, context -> EditedResponse<Centre> in
            let caller = try context.require(.gestionnaire)
            let code = try SessionRoutes.code(context)
            let uai = try EtablissementRoutes.uai(context)
            let declaration = try Self.verifier(try await request.corps(DeclarationRequest.self))
            let (centre, cree) = try await centres.declarer(declaration, uai: uai, session: code, par: caller.subject)
            return EditedResponse(status: cree ? .created : .ok, response: centre)
        }

        group.get("sessions/:code/centres") { request, context -> Page<Centre> in
            let caller = try context.require(.gestionnaire, .admin, .service, .etablissement)
            let code = try SessionRoutes.code(context)
            var v = Verification()
            let pagination = Pagination(request, &v)
            let query = request.uri.queryParameters
            var role: RoleCentre?
            if let texte = query.get("role") {
                role = RoleCentre(rawValue: texte)
                if role == nil { v.erreur("role", "filtre.role", "Rôle « \(texte) » inconnu : \(RoleCentre.allCases.map(\.rawValue).joined(separator: ", ")).") }
            }
            var uais: [String]?
            if let texte = query.get("uai") {
                uais = v.champ("uai") { () throws(DomainError) in try UAI(texte) }.map { [$0.value] }
            }
            try v.verifier()
            let result = try await centres.centres(session: code, uais: try Portee.uais(caller, demandees: uais), role: role, pagination: pagination)
            return Page(items: result.items, total: result.total, pagination: pagination)
        }

        group.get("sessions/:code/centres/:uai") { _, context -> Centre in
            let caller = try context.require(.gestionnaire, .admin, .service, .etablissement)
            let code = try SessionRoutes.code(context)
            let uai = try EtablissementRoutes.uai(context)
            try Portee.exiger(caller, uai: uai)
            guard let centre = try await centres.centres(session: code, uais: [uai.value], role: nil, pagination: .init(taille: 1)).items.first else {
                throw Self.inconnu(uai, code)
            }
            return centre
        }

        group.delete("sessions/:code/centres/:uai") { _, context -> HTTPResponse.Status in
            let caller = try context.require(.gestionnaire)
            let code = try SessionRoutes.code(context)
            let uai = try EtablissementRoutes.uai(context)
            guard try await centres.retirer(uai, session: code, par: caller.subject) else { throw Self.inconnu(uai, code) }
            return .noContent
        }
    }

    static func inconnu(_ uai: UAI, _ code: SessionCode) -> ServiceError {
        ServiceError(.notFound, code: "centre.inconnu", message: "L'établissement \(uai.value) n'est pas centre de la session \(code.value).")
    }

    static func verifier(_ body: DeclarationRequest) throws -> DeclarationCentre {
        var v = Verification()
        var roles: [RoleCentre] = []
        for texte in body.roles {
            guard let role = RoleCentre(rawValue: texte) else {
                v.erreur("roles", "centre.role", "Rôle « \(texte) » inconnu : \(RoleCentre.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            if !roles.contains(role) { roles.append(role) }
        }
        if body.roles.isEmpty { v.erreur("roles", "centre.role", "Un centre a au moins un rôle : inscription, epreuve, correction ou deliberation.") }
        let salles = body.salles ?? []
        var noms: Set<String> = []
        for (index, salle) in salles.enumerated() {
            let nom = salle.nom.trimmingCharacters(in: .whitespaces)
            if nom.isEmpty || nom.count > 100 {
                v.erreur("salles[\(index)].nom", "centre.salle", "Le nom de la salle est obligatoire (100 caractères au plus).")
            } else if !noms.insert(nom.lowercased()).inserted {
                v.erreur("salles[\(index)].nom", "centre.salle", "La salle « \(nom) » figure deux fois.")
            }
            if !(1...placesMaximum).contains(salle.places) {
                v.erreur("salles[\(index)].places", "centre.places", "Une salle compte de 1 à \(placesMaximum) places (reçu \(salle.places)).")
            }
        }
        if roles.contains(.epreuve) && salles.isEmpty {
            v.erreur("salles", "centre.salles", "Un centre d'épreuve déclare au moins une salle avec ses places.")
        }
        if !roles.contains(.epreuve) && !salles.isEmpty && !roles.isEmpty {
            v.erreur("salles", "centre.salles", "Seul un centre d'épreuve déclare des salles.")
        }
        try v.verifier()
        return DeclarationCentre(
            roles: roles.sorted(), gestionAutonome: body.gestionAutonome ?? false,
            salles: salles.map { Salle(nom: $0.nom.trimmingCharacters(in: .whitespaces), places: $0.places) })
    }
}
