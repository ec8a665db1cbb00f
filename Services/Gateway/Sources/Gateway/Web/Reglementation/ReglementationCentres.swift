import Domain
import Foundation
import Hummingbird
import ServiceKit

/// The centres of a session with their roles, and an établissement's record.
extension ReglementationPages {
    struct CentreJSON: Decodable {
        var uai: String
        var nom: String
        var commune: String
        var secteur: String
        var habilitationCFA: Bool
        var habilitationFPC: Bool
        var roles: [String]
        var gestionAutonome: Bool
        var places: Int
    }

    struct CentresReponse: Decodable {
        var items: [CentreJSON]
        var total: Int
    }

    struct CentresPage {
        var code: String
        var recherche: String
        var roles: [OptionRole]
        var centres: [LigneCentre]
        var total: Int?
        var refus: ReglementationVue.Refus?
        var pagination: Pagination?
    }

    struct OptionRole {
        var valeur: String
        var libelle: String
        var choisi: Bool
    }

    struct LigneCentre {
        var uai: String
        var nom: String
        var lien: String
        var commune: String
        var roles: String
        var secteur: String
        var habilitations: String
        var places: Int
        var gestion: String
    }

    static let rolesCentre: [(String, String)] = [
        ("inscription", "Centre d'inscription"), ("epreuve", "Centre d'épreuve"),
        ("correction", "Centre de correction"), ("deliberation", "Centre de délibération"),
    ]

    static let taillePage = 50

    func addCentres(to web: RouterGroup<ServiceRequestContext>) {
        web.get("gestionnaire/sessions/:code/centres") { request, context -> Response in
            let caller = try context.caller()
            let text = try context.parameters.require("code")
            guard let code = try? SessionCode(text) else { throw ServiceError.notFound("Aucune session n'a le code « \(text) ».") }
            let session = code.description
            let query = request.uri.queryParameters
            let role = (query.get("role") ?? "").trimmingCharacters(in: .whitespaces)
            let recherche = (query.get("q") ?? query.get("uai") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let numero = Pagination.numero(request)
            let roleConnu = Self.rolesCentre.contains { $0.0 == role }
            var page = CentresPage(
                code: session, recherche: recherche,
                roles: Self.rolesCentre.map { OptionRole(valeur: $0.0, libelle: $0.1, choisi: $0.0 == role) }, centres: [])

            // A UAI (7 digits and a letter) is searched by the service; a name among the centres.
            let estUAI = recherche.count == 8 && recherche.prefix(7).allSatisfy(\.isNumber) && recherche.last!.isLetter
            var filtres = ""
            if roleConnu { filtres += "&role=\(role)" }
            if estUAI { filtres += "&uai=\(Affichage.requete(recherche.uppercased()))" }
            do throws(ServiceError) {
                var centres: [CentreJSON] = []
                var total = 0
                if recherche.isEmpty || estUAI {
                    let reponse = try await centresPage(session, filtres: filtres, page: numero, taille: Self.taillePage, as: caller)
                    centres = reponse.items
                    total = reponse.total
                } else {
                    // By name: every centre of the filter (up to 10 pages of 200), then paged here.
                    var tous: [CentreJSON] = []
                    for numeroService in 1...10 {
                        let reponse = try await centresPage(session, filtres: filtres, page: numeroService, taille: 200, as: caller)
                        tous += reponse.items
                        if tous.count >= reponse.total || reponse.items.isEmpty { break }
                    }
                    let trouves = tous.filter {
                        ReglementationVue.contient($0.nom, recherche) || ReglementationVue.contient($0.commune, recherche)
                            || ReglementationVue.contient($0.uai, recherche)
                    }
                    total = trouves.count
                    centres = Array(trouves.dropFirst((numero - 1) * Self.taillePage).prefix(Self.taillePage))
                }
                page.centres = centres.map(Self.ligne)
                page.total = total
                var base = "/gestionnaire/sessions/\(Affichage.requete(session))/centres?"
                if roleConnu { base += "role=\(role)&" }
                if !recherche.isEmpty { base += "q=\(Affichage.requete(recherche))&" }
                page.pagination = Pagination(page: numero, taille: Self.taillePage, total: total, base: base)
            } catch {
                if error.status == .notFound { throw ServiceError.notFound("La session \(session) n'existe pas.") }
                page.refus = .init(titre: "Les centres n'ont pas pu être lus.", error)
            }
            return await renderer.render(
                "reglementation-centres", titre: "Centres de la session \(session)", page: page, request: request, context: context)
        }

        web.get("gestionnaire/etablissements/:uai") { request, context -> Response in
            let caller = try context.caller()
            let uai = try context.parameters.require("uai")
            struct Etablissement: Decodable {
                var uai: String
                var nom: String
                var adresse: String
                var codePostal: String
                var commune: String
                var secteur: String
                var habilitationCFA: Bool
                var habilitationFPC: Bool
            }
            let answer = try await reglementation.appel(.get, "/etablissements/\(Affichage.requete(uai))", as: caller)
            if answer.status == .notFound || answer.status == .unprocessableContent {
                throw ServiceError.notFound("Aucun établissement n'a l'UAI « \(uai) ».")
            }
            guard answer.status == .ok else { throw ServiceError(.badGateway, code: "service.erreur", message: reglementation.refus(answer).message) }
            let e = try reglementation.decode(Etablissement.self, answer)
            let faits: [AggregateView.Valeur] = [
                .init(nom: "UAI", valeur: e.uai),
                .init(nom: "Adresse", valeur: "\(e.adresse), \(e.codePostal) \(e.commune)"),
                .init(nom: "Secteur", valeur: e.secteur == "prive" ? "Privé" : "Public"),
                .init(nom: "Habilitations", valeur: Self.habilitations(cfa: e.habilitationCFA, fpc: e.habilitationFPC)),
            ]
            return await renderer.render(
                "reglementation-etablissement", titre: e.nom, page: ["nom": e.nom, "faits": faits] as [String: Any],
                request: request, context: context)
        }
    }

    func centresPage(_ session: String, filtres: String, page: Int, taille: Int, as caller: InternalIdentity) async throws(ServiceError) -> CentresReponse {
        try await reglementation.lire(CentresReponse.self, "/sessions/\(Affichage.requete(session))/centres?taille=\(taille)&page=\(page)\(filtres)", as: caller)
    }

    static func ligne(_ centre: CentreJSON) -> LigneCentre {
        LigneCentre(
            uai: centre.uai, nom: centre.nom, lien: "/gestionnaire/etablissements/\(Affichage.requete(centre.uai))",
            commune: centre.commune,
            roles: rolesCentre.filter { centre.roles.contains($0.0) }.map(\.1).joined(separator: ", "),
            secteur: centre.secteur == "prive" ? "Privé" : "Public",
            habilitations: habilitations(cfa: centre.habilitationCFA, fpc: centre.habilitationFPC),
            places: centre.places, gestion: centre.gestionAutonome ? "oui" : "non")
    }

    static func habilitations(cfa: Bool, fpc: Bool) -> String {
        let liste = [cfa ? "CFA habilité" : nil, fpc ? "FPC habilitée" : nil].compactMap { $0 }
        return liste.isEmpty ? "aucune" : liste.joined(separator: ", ")
    }
}
