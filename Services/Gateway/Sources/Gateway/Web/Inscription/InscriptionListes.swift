import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The lists and statistics of candidatures, shared by the établissement and the gestionnaire.
///
/// | page | établissement | gestionnaire |
/// |---|---|---|
/// | the list `?specialite&uai&categorie&etat&amenagement&q&page` | `/etablissement/inscription/{code}` | `/gestionnaire/sessions/{code}/candidatures` |
/// | exports with the list's filters | `…/{code}/candidatures.csv` · `/confirmations.pdf` | the same under `/gestionnaire/sessions` |
/// | counts by spécialité, établissement or catégorie `?par` | `…/{code}/statistiques` | `…/{code}/inscriptions/statistiques` |
extension InscriptionPages {
    struct ListePage {
        var session: String
        var libelle: String
        var espace: String
        var gestionnaire: Bool
        var base: String
        var specialites: [AccountPages.Option]
        var categories: [AccountPages.Option]
        var etats: [AccountPages.Option]
        var uais: [AccountPages.Option]
        var aPlusieursUAI: Bool
        var uai: String
        var amenagements: [AccountPages.Option]
        var recherche: String
        var candidatures: [LigneCandidature]
        var total: Int
        var pagination: Pagination?
        var filtres: String
        var notice: String?
        var refus: ReglementationVue.Refus?
        var servicesOuverts: String
        var papillonsUAI: String
        var liens: Liens
    }

    /// Where the list's actions lead (the exports keep the filters).
    struct Liens {
        var racine: String
        var export: String
        var confirmations: String
        var statistiques: String
        var nouvelle: String?
        var importation: String?
        var papillons: String?
        var amenagements: String?
        var regeneration: String?

        init(session: String, espace: Espace, filtres: String) {
            let code = Affichage.requete(session)
            racine = espace == .gestionnaire ? "/gestionnaire/sessions/\(code)" : "/etablissement/inscription/\(code)"
            let suite = filtres.isEmpty ? "" : "?" + filtres
            export = "\(racine)/candidatures.csv\(suite)"
            confirmations = "\(racine)/confirmations.pdf\(suite)"
            if espace == .gestionnaire {
                statistiques = "\(racine)/inscriptions/statistiques"
                amenagements = "\(racine)/amenagements"
                regeneration = "\(racine)/confirmations/regeneration"
            } else {
                statistiques = "\(racine)/statistiques"
                nouvelle = "\(racine)/nouvelle"
                importation = "\(racine)/import"
                papillons = "\(racine)/papillons"
            }
        }
    }

    struct LigneCandidature {
        var numero: String
        var lien: String
        var nom: String
        var naissance: String
        var categorie: String
        var uai: String
        var specialite: String
        var forme: String
        var etat: String
        var classe: String
        var amenagement: Bool
    }

    static let taillePage = 50

    /// The screens the établissement and the gestionnaire share, each over its own paths (who
    /// may open them: `PageRoles`): a session's candidatures, their exports with the list's
    /// filters, and the statistics.
    static let ecransPartages: [(espace: Espace, racine: String, liste: String, statistiques: String, titre: String)] = [
        (.etablissement, "etablissement/inscription/:code", "", "/statistiques", "Statistiques de la session"),
        (.gestionnaire, "gestionnaire/sessions/:code", "/candidatures", "/inscriptions/statistiques", "Statistiques des inscriptions de la session"),
    ]

    func addListes(to web: RouterGroup<ServiceRequestContext>) {
        for (espace, racine, liste, statistiques, titre) in Self.ecransPartages {
            web.get(RouterPath(stringLiteral: racine + liste)) { request, context -> Response in
                let caller = try context.caller()
                let session = try Self.session(context)
                let query = request.uri.queryParameters
                var notice = query.get("fait").flatMap { Self.notices[$0] }
                if espace == .gestionnaire, query.get("fait") == "regeneration" {
                    notice = "Confirmations régénérées : \(query.get("regenerees") ?? "0") nouvelle(s) version(s) pour \(query.get("examinees") ?? "0") candidature(s) validée(s) examinée(s)."
                }
                let page = try await self.liste(session, espace: espace, filtres: Filtres(request), as: caller, notice: notice)
                return await renderListe(page, request: request, context: context)
            }
            for fichier in ["candidatures.csv", "confirmations.pdf"] {
                web.get(RouterPath(stringLiteral: "\(racine)/\(fichier)")) { request, context -> Response in
                    let caller = try context.caller()
                    let session = try Self.session(context)
                    let filtres = Filtres(request).requete
                    return try await api.telechargement(
                        "/sessions/\(Affichage.requete(session))/\(fichier)" + (filtres.isEmpty ? "" : "?" + filtres), as: caller)
                }
            }
            web.get(RouterPath(stringLiteral: racine + statistiques)) { request, context -> Response in
                let caller = try context.caller()
                let session = try Self.session(context)
                let chemin = "/" + racine.replacingOccurrences(of: ":code", with: Affichage.requete(session))
                let page = try await self.statistiques(
                    session, axe: request.uri.queryParameters.get("par"), base: chemin + statistiques, liste: chemin + liste, as: caller)
                return await renderer.render("inscription-statistiques", titre: "\(titre) \(session)", page: page, request: request, context: context)
            }
        }
    }

    /// The filters of a list's query string, checked; `filtres` is the query to pass on
    /// (service, export, pages).
    struct Filtres {
        var specialite = ""
        var categorie = ""
        var etat = ""
        var uai = ""
        var amenagement = ""
        var recherche = ""
        var page = 1

        init(_ request: Request) {
            let query = request.uri.queryParameters
            func valeur(_ nom: String) -> String { (query.get(nom) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            specialite = valeur("specialite").uppercased()
            categorie = InscriptionVue.categories.contains { $0.0 == valeur("categorie") } ? valeur("categorie") : ""
            etat = InscriptionVue.etats.contains { $0.0 == valeur("etat") } ? valeur("etat") : ""
            uai = valeur("uai").uppercased()
            amenagement = ["oui", "non"].contains(valeur("amenagement")) ? valeur("amenagement") : ""
            recherche = String(valeur("q").prefix(100))
            page = Pagination.numero(request)
        }

        var requete: String {
            [("specialite", specialite), ("categorie", categorie), ("etat", etat), ("uai", uai), ("amenagement", amenagement), ("q", recherche)]
                .filter { !$0.1.isEmpty }.map { "\($0.0)=\(Affichage.requete($0.1))" }.joined(separator: "&")
        }
    }

    /// A page of a session's candidatures as the caller may see them, with its filters.
    func liste(
        _ session: String, espace: Espace, filtres: Filtres, as caller: InternalIdentity, notice: String? = nil
    ) async throws -> ListePage {
        let offre = try await offre(session, as: caller)
        let base = espace == .gestionnaire
            ? "/gestionnaire/sessions/\(Affichage.requete(session))/candidatures"
            : "/etablissement/inscription/\(Affichage.requete(session))"
        let uaisPropres = RolePages.scopes("uai", of: caller)
        var page = ListePage(
            session: session, libelle: offre.libelle, espace: espace.prefixe, gestionnaire: espace == .gestionnaire, base: base,
            specialites: offre.specialites.map { AccountPages.Option(valeur: $0.code, libelle: $0.libelle, choisi: $0.code == filtres.specialite) },
            categories: InscriptionVue.categories.map { AccountPages.Option(valeur: $0.0, libelle: $0.1, choisi: $0.0 == filtres.categorie) },
            etats: InscriptionVue.etats.map { AccountPages.Option(valeur: $0.0, libelle: $0.1, choisi: $0.0 == filtres.etat) },
            uais: Self.uais(of: caller, offre: offre).map { AccountPages.Option(valeur: $0.0, libelle: $0.1, choisi: $0.0 == filtres.uai) },
            aPlusieursUAI: uaisPropres.count > 1, uai: filtres.uai,
            amenagements: [("oui", "Demandé"), ("non", "Non demandé")].map { AccountPages.Option(valeur: $0.0, libelle: $0.1, choisi: $0.0 == filtres.amenagement) },
            recherche: filtres.recherche, candidatures: [], total: 0, filtres: filtres.requete, notice: notice,
            servicesOuverts: Self.services(offre), papillonsUAI: filtres.uai.isEmpty ? (uaisPropres.first ?? "") : filtres.uai,
            liens: Liens(session: session, espace: espace, filtres: filtres.requete))
        var chemin = "/sessions/\(Affichage.requete(session))/candidatures?taille=\(Self.taillePage)&page=\(filtres.page)"
        if !filtres.requete.isEmpty { chemin += "&" + filtres.requete }
        do throws(ServiceError) {
            let liste = try await api.lire(ServiceClient.Page<InscriptionAPI.Candidature>.self, chemin, as: caller)
            page.candidatures = liste.items.map { c in
                let (etat, classe) = InscriptionVue.etat(c.etat)
                return LigneCandidature(
                    numero: c.numero, lien: espace.candidature(c.id), nom: c.nomComplet,
                    naissance: DateFrancaise.jour(c.candidat.dateNaissance),
                    categorie: InscriptionVue.categorie(c.categorie), uai: c.uai ?? "—", specialite: c.specialite,
                    forme: InscriptionVue.forme(c.forme), etat: etat, classe: classe, amenagement: c.amenagementDemande)
            }
            page.total = liste.total
            page.pagination = Pagination(
                page: filtres.page, taille: Self.taillePage, total: liste.total,
                base: base + "?" + (filtres.requete.isEmpty ? "" : filtres.requete + "&"))
        } catch {
            if error.status == .forbidden || error.status.code >= 500 { throw error }
            page.refus = Self.refusValidation(error, titre: "La liste n'a pas pu être lue.")
        }
        return page
    }

    /// `Inscription établissement : ouvert · Grand Public : fermé`.
    static func services(_ offre: InscriptionAPI.Offre) -> String {
        "Inscription des établissements : \(offre.etablissementsOuvert ? "ouverte" : "fermée") · Grand Public : \(offre.grandPublicOuvert ? "ouverte" : "fermée")"
    }

    func renderListe(_ page: ListePage, request: Request, context: ServiceRequestContext) async -> Response {
        await renderer.render("inscription-candidatures", titre: "Candidatures de la session \(page.session)", page: page,
                              request: request, context: context)
    }

    // MARK: Statistics

    struct StatistiquesPage {
        var session: String
        var base: String
        var liste: String
        var axes: [AccountPages.Option]
        var axe: String
        var lignes: [InscriptionAPI.Statistique]
        var total: InscriptionAPI.Statistique
        var refus: ReglementationVue.Refus?
    }

    static let axes: [(String, String)] = [("specialite", "Par spécialité"), ("etablissement", "Par établissement"), ("categorie", "Par catégorie")]

    func statistiques(
        _ session: String, axe texte: String?, base: String, liste: String, as caller: InternalIdentity
    ) async throws -> StatistiquesPage {
        let axe = Self.axes.contains { $0.0 == texte } ? texte! : "specialite"
        var page = StatistiquesPage(
            session: session, base: base, liste: liste,
            axes: Self.axes.map { AccountPages.Option(valeur: $0.0, libelle: $0.1, choisi: $0.0 == axe) }, axe: axe, lignes: [],
            total: .init(cle: "", libelle: "Total", brouillon: 0, validee: 0, modifiee: 0, annulee: 0, total: 0, amenagements: 0))
        let lignes = try await api.lire(
            ServiceClient.Liste<InscriptionAPI.Statistique>.self, "/sessions/\(Affichage.requete(session))/statistiques?par=\(axe)", as: caller)
        page.lignes = lignes.items.map { ligne in
            var ligne = ligne
            if axe == "categorie" { ligne.libelle = InscriptionVue.categorie(ligne.cle) }
            if axe == "etablissement" && !ligne.cle.isEmpty { ligne.libelle = "\(ligne.libelle) (\(ligne.cle))" }
            return ligne
        }
        for ligne in lignes.items {
            page.total.brouillon += ligne.brouillon
            page.total.validee += ligne.validee
            page.total.modifiee += ligne.modifiee
            page.total.annulee += ligne.annulee
            page.total.total += ligne.total
            page.total.amenagements += ligne.amenagements
        }
        return page
    }
}
