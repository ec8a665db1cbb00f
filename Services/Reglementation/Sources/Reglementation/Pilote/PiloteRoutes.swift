import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/pilote`: import a national pilot file (gestionnaire; body = the YAML file), read the
/// spécialités and their versioned règlements (gestionnaire, admin, service).
struct PiloteRoutes: Sendable {
    let importation: PiloteImport

    static let tailleMaximale = 4 << 20

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("pilote/imports") { request, context -> RapportImport in
            let caller = try context.require(.gestionnaire)
            let corps: ByteBuffer
            do {
                var request = request
                corps = try await request.collectBody(upTo: Self.tailleMaximale)
            } catch {
                throw ServiceError(.contentTooLarge, code: "requete.trop_grande", message: "Le fichier dépasse \(Self.tailleMaximale >> 20) Mio.")
            }
            let rapport = try await importation.importer(Array(buffer: corps), par: caller.subject)
            guard rapport.erreurs.isEmpty else {
                throw ServiceError.invalid(
                    "pilote.invalide",
                    "Le fichier du pilote national comporte \(rapport.erreurs.count) erreur(s) : rien n'a été importé.",
                    details: rapport.erreurs.map(\.detail))
            }
            return rapport
        }

        group.get("pilote/specialites") { request, context -> Page<SpecialitePilote> in
            try context.require(.gestionnaire, .admin, .service)
            let pagination = try Pagination(request)
            let recherche = request.uri.queryParameters.get("q").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            let result = try await importation.repository.specialites(recherche: recherche, pagination: pagination)
            return Page(items: result.items, total: result.total, pagination: pagination)
        }

        group.get("pilote/specialites/:specialite") { _, context -> SpecialitePilote in
            try context.require(.gestionnaire, .admin, .service)
            let code = context.parametre("specialite").uppercased()
            guard let specialite = try await importation.repository.specialite(code) else { throw Self.inconnue(code) }
            return specialite
        }

        group.get("pilote/specialites/:specialite/reglements/:version") { _, context -> Reglement in
            try context.require(.gestionnaire, .admin, .service)
            let code = context.parametre("specialite").uppercased()
            let texte = context.parametre("version")
            var version = Int(texte)
            if texte == "derniere" { version = try await importation.repository.derniereVersion(code) }
            guard let version, let reglement = try await importation.repository.reglements([(code, version)]).first else {
                throw ServiceError(.notFound, code: "reglement.inconnu", message: "La version « \(texte) » du règlement de la spécialité \(code) n'existe pas.")
            }
            return reglement
        }
    }

    static func inconnue(_ code: String) -> ServiceError {
        ServiceError(.notFound, code: "specialite.inconnue", message: "La spécialité \(code) n'existe pas dans le pilote national.")
    }
}

extension Reglement: ResponseEncodable {}
extension SpecialitePilote: ResponseEncodable {}
