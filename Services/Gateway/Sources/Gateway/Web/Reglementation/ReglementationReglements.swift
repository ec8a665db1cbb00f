import Domain
import Foundation
import Hummingbird
import ServiceKit

/// The règlements of the national pilot (per spécialité) and the import of a pilot file.
extension ReglementationPages {
    struct SpecialitesReponse: Decodable {
        struct Specialite: Decodable {
            var code: String
            var libelle: String
            var derniereVersion: Int
        }
        var items: [Specialite]
        var total: Int
    }

    struct ReglementJSON: Decodable {
        struct Epreuve: Decodable {
            var code: String
            var libelle: String
            var facultative: Bool
            var auChoix: Bool
            var coefficient: Int?
            var unites: [Unite]
        }
        struct Unite: Decodable {
            var code: String
            var sousEpreuve: String?
            var libelle: String
            var coefficient: Int?
            var formes: [String]
            var dureeMinutes: Int?
            var preparationMinutes: Int?
            var pas: Int
            var pasCCF: Int
            var modes: [String: String]
        }
        var specialite: String
        var libelle: String
        var version: Int
        var reference: String?
        var epreuves: [Epreuve]
    }

    struct ListePage {
        var recherche: String
        var specialites: [LigneSpecialite]
        var total: Int?
        var indisponible: String?
        var pagination: Pagination?
    }

    struct LigneSpecialite {
        var code: String
        var libelle: String
        var version: Int
        var lien: String
    }

    struct ReglementPage {
        var code: String
        var libelle: String
        var version: Int
        var reference: String?
        var coefficientTotal: Int
        var epreuves: [EpreuveVue]
    }

    struct EpreuveVue {
        var code: String
        var libelle: String
        var coefficient: String
        var nature: String?
        var unites: [UniteVue]
    }

    struct UniteVue {
        var code: String
        var sousEpreuve: String
        var libelle: String
        var coefficient: String
        var formes: String
        var duree: String
        var modes: [String]
        var pas: String
    }

    struct ImportPage {
        var contenu: String
        var refus: ReglementationVue.Refus?
        var erreurs: [ReglementationVue.Detail]
        var nombreErreurs: Int?
        var rapport: [LigneRapport]
        var aRapport: Bool
    }

    struct LigneRapport {
        var specialite: String
        var lien: String
        var version: String
        var statut: String
        var classe: String
    }

    static let tailleImport = 4 << 20

    func addReglements(to web: RouterGroup<ServiceRequestContext>) {
        web.get("gestionnaire/reglements") { request, context -> Response in
            let caller = try context.caller()
            let recherche = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let numero = Pagination.numero(request)
            var page = ListePage(recherche: recherche, specialites: [])
            do throws(ServiceError) {
                var path = "/pilote/specialites?taille=50&page=\(numero)"
                if !recherche.isEmpty { path += "&q=\(Affichage.requete(recherche))" }
                let answer = try await reglementation.appel(.get, path, as: caller)
                if answer.status == .ok, let liste = try? JSONDecoder().decode(SpecialitesReponse.self, from: answer.body) {
                    page.specialites = liste.items.map {
                        LigneSpecialite(code: $0.code, libelle: $0.libelle, version: $0.derniereVersion,
                                        lien: "/gestionnaire/reglements/\(Affichage.requete($0.code))")
                    }
                    page.total = liste.total
                    let base = recherche.isEmpty ? "/gestionnaire/reglements?" : "/gestionnaire/reglements?q=\(Affichage.requete(recherche))&"
                    page.pagination = Pagination(page: numero, taille: 50, total: liste.total, base: base)
                } else {
                    page.indisponible = reglementation.refus(answer).message
                }
            } catch {
                page.indisponible = "\(error.message) La liste des spécialités est indisponible pour le moment."
            }
            return await renderer.render("reglementation-specialites", titre: "Règlements d'examen", page: page, request: request, context: context)
        }

        web.get("gestionnaire/reglements/import") { request, context -> Response in
            return await importPage(request: request, context: context)
        }

        web.post("gestionnaire/reglements/import") { request, context -> Response in
            let caller = try context.caller()
            let body = try await request.body.collect(upTo: Self.tailleImport)
            let form = WebForm(encoded: String(buffer: body))
            guard CSRF.verify(cookie: request.cookies[CSRF.cookieName]?.value, field: form.values[CSRF.field]) else {
                throw WebRefusal.csrf
            }
            let contenu = form.raw("contenu").replacingOccurrences(of: "\r\n", with: "\n")
            var page = ImportPage(contenu: contenu, erreurs: [], nombreErreurs: nil, rapport: [], aRapport: false)
            let status: HTTPResponse.Status
            if contenu.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                page.refus = .init(titre: "Rien n'a été importé.", message: "Collez le contenu du fichier YAML du pilote national.", details: [])
                status = .unprocessableContent
            } else {
                do throws(ServiceError) {
                    let answer = try await reglementation.appel(
                        .post, "/pilote/imports", as: caller, contentType: "application/yaml", body: ByteBuffer(string: contenu))
                    if answer.status == .ok {
                        struct Rapport: Decodable {
                            struct Ligne: Decodable {
                                var specialite: String
                                var version: Int
                                var statut: String
                            }
                            var specialites: [Ligne]
                        }
                        let rapport = (try? JSONDecoder().decode(Rapport.self, from: answer.body))?.specialites ?? []
                        let resume = rapport.map { "\($0.specialite)~\($0.version)~\($0.statut)" }.joined(separator: ",")
                        return WebRenderer.redirect("/gestionnaire/reglements/import?rapport=\(Affichage.requete(resume))")
                    }
                    let refus = reglementation.refus(answer)
                    page.refus = .init(titre: "Rien n'a été importé.", message: refus.message, details: [])
                    page.erreurs = ReglementationVue.Refus(titre: "", refus).details
                    page.nombreErreurs = refus.details.isEmpty ? nil : refus.details.count
                    status = refus.status
                } catch {
                    page.refus = .init(titre: "Rien n'a été importé.", message: error.message, details: [])
                    status = error.status
                }
            }
            return await renderer.render(
                "reglementation-import", titre: "Erreur : import du pilote national", page: page, request: request, context: context, status: status)
        }

        web.get("gestionnaire/reglements/:code") { request, context -> Response in
            let caller = try context.caller()
            let code = try context.parameters.require("code")
            if code == "import" {
                return await importPage(request: request, context: context)
            }
            let answer = try await reglementation.appel(.get, "/pilote/specialites/\(Affichage.requete(code))/reglements/derniere", as: caller)
            if answer.status == .notFound { throw ServiceError.notFound("Aucun règlement pour la spécialité « \(code) ».") }
            guard answer.status == .ok else { throw ServiceError(.badGateway, code: "service.erreur", message: reglementation.refus(answer).message) }
            let reglement = try reglementation.decode(ReglementJSON.self, answer)
            let page = Self.vue(reglement)
            return await renderer.render(
                "reglementation-reglement", titre: "Règlement du BP \(reglement.libelle)", page: page, request: request, context: context)
        }
    }

    func importPage(request: Request, context: ServiceRequestContext) async -> Response {
        var page = ImportPage(contenu: "", erreurs: [], nombreErreurs: nil, rapport: [], aRapport: false)
        if let rapport = request.uri.queryParameters.get("rapport") {
            page.rapport = rapport.split(separator: ",").compactMap { ligne in
                let parties = ligne.split(separator: "~").map(String.init)
                guard parties.count == 3 else { return nil }
                let importee = parties[2] == "importee"
                return LigneRapport(
                    specialite: parties[0], lien: "/gestionnaire/reglements/\(Affichage.requete(parties[0]))", version: parties[1],
                    statut: importee ? "Importée" : "Inchangée (déjà importée)", classe: importee ? "etat--ok" : "etat--neutre")
            }
            page.aRapport = true
        }
        return await renderer.render("reglementation-import", titre: "Importer le pilote national", page: page, request: request, context: context)
    }

    static let categories: [(String, String)] = [
        ("apprenti_cfa_habilite", "apprentis de CFA habilité"), ("apprenti_cfa_non_habilite", "apprentis de CFA non habilité"),
        ("fpc_public_habilite", "formation continue publique habilitée"), ("fpc_prive", "formation continue privée"),
        ("enseignement_distance", "enseignement à distance"), ("individuel", "candidats individuels"),
    ]

    static func vue(_ reglement: ReglementJSON) -> ReglementPage {
        let epreuves = reglement.epreuves.map { epreuve -> EpreuveVue in
            var nature: String?
            if epreuve.facultative { nature = "Épreuve facultative : seuls les points au-dessus de 10 comptent." }
            if epreuve.auChoix { nature = "Groupe d'options : le candidat choisit une seule de ces unités." }
            if epreuve.facultative && epreuve.auChoix { nature = "Épreuve facultative au choix : le candidat choisit une seule de ces unités." }
            return EpreuveVue(
                code: epreuve.code, libelle: epreuve.libelle,
                coefficient: epreuve.coefficient.map(String.init) ?? (epreuve.facultative ? "facultative" : "—"),
                nature: nature,
                unites: epreuve.unites.map { unite in
                    var duree = unite.dureeMinutes.map(DateFrancaise.duree) ?? "en CCF seulement"
                    if let preparation = unite.preparationMinutes { duree += " (préparation \(DateFrancaise.duree(preparation)))" }
                    let ccf = categories.filter { unite.modes[$0.0] == "ccf" }.map(\.1)
                    let ponctuel = categories.filter { unite.modes[$0.0] == "ponctuel" }.map(\.1)
                    var modes: [String] = []
                    if ponctuel.count == categories.count {
                        modes = ["Ponctuel pour tous"]
                    } else {
                        if !ccf.isEmpty { modes.append("CCF : " + ccf.joined(separator: ", ")) }
                        if !ponctuel.isEmpty { modes.append("Ponctuel : " + ponctuel.joined(separator: ", ")) }
                    }
                    return UniteVue(
                        code: unite.code, sousEpreuve: unite.sousEpreuve ?? "—", libelle: unite.libelle,
                        coefficient: unite.coefficient.map(String.init) ?? "facultative",
                        formes: unite.formes.map { ["ecrite": "écrite", "orale": "orale", "pratique": "pratique"][$0] ?? $0 }.joined(separator: ", "),
                        duree: duree, modes: modes,
                        pas: "\(Self.pas(unite.pas)) (ponctuel), \(Self.pas(unite.pasCCF)) (CCF)")
                })
        }
        let total = reglement.epreuves.filter { !$0.facultative }.compactMap(\.coefficient).reduce(0, +)
        return ReglementPage(
            code: reglement.specialite, libelle: reglement.libelle, version: reglement.version, reference: reglement.reference,
            coefficientTotal: total, epreuves: epreuves)
    }

    /// 25 hundredths → `0,25 point`.
    static func pas(_ centiemes: Int) -> String {
        let entier = centiemes / 100
        let reste = centiemes % 100
        let texte = reste == 0 ? "\(entier)" : "\(entier),\(String(format: "%02d", reste).replacingOccurrences(of: "0$", with: "", options: .regularExpression))"
        return "\(texte) point"
    }
}
