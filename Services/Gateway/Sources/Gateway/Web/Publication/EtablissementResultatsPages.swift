import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The établissement's results page: for a session and one of its UAIs, its students' released
/// results, the files it takes away — « Extrait les notes de ses élèves » (CSV, once the
/// gestionnaire opened the extraction), « Edite les résultats de ses élèves » (PDF), the results of
/// the candidates placed in it as a centre épreuve, the documents to hand out (relevés,
/// attestations, diplômes in one PDF) — and the documents space: the aménagement answers it
/// relays, its notifications.
///
/// | page | who |
/// |---|---|
/// | `/etablissement/resultats?session=&uai=`, `/etablissement/resultats/fichier?…&quoi=`, `/etablissement/resultats/amenagement?…` | établissement |
struct EtablissementResultatsPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    var publication: ServiceClient { ServiceClient(directory: directory, service: "publication", timeout: .seconds(30)) }

    struct Ligne: Decodable {
        var numero: String
        var nomFamille: String
        var nomUsage: String?
        var prenoms: String
        var specialite: String
        var decision: String
    }

    struct Espace: Decodable {
        struct Document: Decodable { var id: String; var type: String; var titre: String; var numero: String }
        struct Notification: Decodable { var message: String }
        var documents: [Document]
        var notifications: [Notification]
    }

    struct Fichier {
        var libelle: String
        var href: String
    }

    struct Page {
        var session: String
        var uai: String
        var uais: [String]
        var refus: String?
        var charge: Bool
        var lignes: [Ligne]
        var total: Int
        var aDesLignes: Bool
        var fichiers: [Fichier]
        var amenagements: [Fichier]
        var aDesAmenagements: Bool
        var notifications: [String]
        var aDesNotifications: Bool
    }

    /// What the page downloads, by `quoi`: the service's path for the session and UAI.
    static func chemin(_ quoi: String, session: String, uai: String) -> String? {
        let base = "/sessions/\(Affichage.requete(session))"
        let u = Affichage.requete(uai)
        switch quoi {
        case "extraction": return "\(base)/extraction.csv?etablissement=\(u)"
        case "resultats": return "\(base)/resultats.pdf?etablissement=\(u)"
        case "centre": return "\(base)/resultats.pdf?centre=\(u)"
        case "releve", "attestation", "diplome": return "\(base)/documents.pdf?type=\(quoi)&etablissement=\(u)"
        default: return nil
        }
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("etablissement/resultats") { request, context -> Response in
            let caller = try context.caller()
            let query = request.uri.queryParameters
            let uais = RolePages.scopes("uai", of: caller)
            let session = (query.get("session") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            let uai = query.get("uai").flatMap { uais.contains($0) ? $0 : nil } ?? uais.first ?? ""
            var page = Page(session: session, uai: uai, uais: uais, refus: nil, charge: false, lignes: [], total: 0, aDesLignes: false,
                            fichiers: [], amenagements: [], aDesAmenagements: false, notifications: [], aDesNotifications: false)
            var status = HTTPResponse.Status.ok
            if !session.isEmpty, !uai.isEmpty {
                let lien = "session=\(Affichage.requete(session))&uai=\(Affichage.requete(uai))"
                do throws(ServiceError) {
                    let liste = try await publication.lire(
                        ServiceClient.Page<Ligne>.self,
                        "/sessions/\(Affichage.requete(session))/resultats?etablissement=\(Affichage.requete(uai))&taille=200", as: caller)
                    let espace = try await publication.lire(
                        Espace.self, "/sessions/\(Affichage.requete(session))/espace?etablissement=\(Affichage.requete(uai))", as: caller)
                    page.charge = true
                    page.lignes = liste.items
                    page.total = liste.total
                    page.aDesLignes = !liste.items.isEmpty
                    page.fichiers = [
                        ("extraction", "Notes de mes élèves (CSV)"), ("resultats", "Résultats de mes élèves (PDF)"),
                        ("centre", "Résultats des candidats affectés dans mon centre (PDF)"), ("releve", "Relevés de notes à remettre (PDF)"),
                        ("attestation", "Attestations de réussite à remettre (PDF)"), ("diplome", "Diplômes à remettre (PDF)"),
                    ].map { Fichier(libelle: $0.1, href: "/etablissement/resultats/fichier?\(lien)&quoi=\($0.0)") }
                    page.amenagements = espace.documents.filter { $0.type == "amenagement" }.map {
                        Fichier(libelle: "\($0.numero) — \($0.titre)",
                                href: "/etablissement/resultats/amenagement?numero=\(Affichage.requete($0.numero))&document=\(Affichage.requete($0.id))")
                    }
                    page.aDesAmenagements = !page.amenagements.isEmpty
                    page.notifications = espace.notifications.map(\.message)
                    page.aDesNotifications = !page.notifications.isEmpty
                } catch {
                    page.refus = error.message
                    status = error.status
                }
            }
            return await renderer.render("etablissement-resultats", titre: "Résultats et documents", page: page, request: request,
                                         context: context, status: status)
        }

        web.get("etablissement/resultats/fichier") { request, context -> Response in
            let caller = try context.caller()
            let query = request.uri.queryParameters
            guard let chemin = Self.chemin(query.get("quoi") ?? "", session: query.get("session") ?? "", uai: query.get("uai") ?? "") else {
                throw ServiceError.notFound("Ce fichier n'existe pas.")
            }
            return try await publication.telechargement(chemin, as: caller)
        }

        web.get("etablissement/resultats/amenagement") { request, context -> Response in
            let caller = try context.caller()
            let query = request.uri.queryParameters
            return try await publication.telechargement(
                "/candidats/\(Affichage.requete(query.get("numero") ?? ""))/espace/\(Affichage.requete(query.get("document") ?? ""))", as: caller)
        }
    }
}
