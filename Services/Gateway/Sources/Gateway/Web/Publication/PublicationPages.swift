import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The gestionnaire's publication page: the embargo or the release of a session, the last
/// reconciliation with every écart it found (naming candidate and jury), the results republished
/// after a reopened jury; and two actions — reconcile again now (which releases when the step is
/// open and nothing differs), send the session's result messages again to outside bodies,
/// generate the end-of-session documents, hide or show a type of them.
///
/// | page | who |
/// |---|---|
/// | `/gestionnaire/publication?session=` (GET), `/gestionnaire/publication/verification`, `…/rediffusion`, `…/documents`, `…/masquage` (POST) | gestionnaire |
struct PublicationPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    var publication: ServiceClient { ServiceClient(directory: directory, service: "publication", timeout: .seconds(15)) }

    /// Dates as the service writes them (ISO 8601), shown in Paris time.
    struct Etat: Decodable {
        struct Ecart: Decodable {
            var code: String
            var jury: String?
            var numero: String?
            var message: String
        }

        struct Revision: Decodable {
            var numero: String
            var jury: String
            var revisionAvant: Int
            var decisionAvant: String
            var revision: Int
            var decision: String
            var republieLe: String
        }

        var etapeOuverte: Bool
        var publieeLe: String?
        var verifieeLe: String?
        var resultatsRecus: Int
        var admisRecus: Int
        var juriesClos: Int
        var resultatsPublies: Int
        var ecarts: [Ecart]
        var ecartsTotal: Int
        var revisions: [Revision]
    }

    struct LigneEcart {
        var jury: String
        var numero: String
        var message: String
    }

    struct LigneRevision {
        var numero: String
        var jury: String
        var avant: String
        var apres: String
        var le: String
    }

    struct TypeDocument {
        var type: String
        var libelle: String
        var masque: Bool
    }

    struct Page {
        var session: String
        var succes: String?
        var refus: String?
        var charge: Bool
        var statut: String
        var classeStatut: String
        var etape: String
        var verifiee: String
        var recus: Int
        var admis: Int
        var jurys: Int
        var publies: Int
        var ecarts: [LigneEcart]
        var aDesEcarts: Bool
        var ecartsTotal: Int
        var revisions: [LigneRevision]
        var aDesRevisions: Bool
        var publiee: Bool
        /// The end-of-session documents' types and whether each is hidden from candidates.
        var types: [TypeDocument]
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("gestionnaire/publication") { request, context -> Response in
            let caller = try context.caller()
            return await page(request.uri.queryParameters.get("session") ?? "", caller, request, context)
        }

        web.post("gestionnaire/publication/verification") { request, context -> Response in
            let caller = try context.caller()
            let session = try await WebForm.read(request).raw("session")
            do throws(ServiceError) {
                let etat = try await publication.lire(
                    Etat.self, "/sessions/\(Affichage.requete(session))/publication/verification", as: caller, method: .post)
                let message = etat.ecarts.isEmpty
                    ? (etat.publieeLe == nil ? "Rapprochement sans écart. Les résultats seront publiés à l'ouverture du service de publication."
                                             : "Rapprochement sans écart : les résultats sont publiés.")
                    : "Rapprochement : \(etat.ecartsTotal) écart(s). La publication reste bloquée."
                return await page(session, caller, request, context, succes: message)
            } catch {
                return await page(session, caller, request, context, refus: error.message, status: error.status)
            }
        }

        web.post("gestionnaire/publication/documents") { request, context -> Response in
            let caller = try context.caller()
            let session = try await WebForm.read(request).raw("session")
            struct Generation: Decodable { var releves: Int; var attestations: Int; var diplomes: Int; var remplaces: Int }
            do throws(ServiceError) {
                let g = try await publication.lire(
                    Generation.self, "/sessions/\(Affichage.requete(session))/documents/generation", as: caller, method: .post)
                return await page(session, caller, request, context, succes:
                    "Documents générés : \(g.releves) relevé(s), \(g.attestations) attestation(s), \(g.diplomes) diplôme(s) ; \(g.remplaces) remplacé(s).")
            } catch {
                return await page(session, caller, request, context, refus: error.message, status: error.status)
            }
        }

        web.post("gestionnaire/publication/masquage") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            let (session, type, masque) = (form.raw("session"), form.raw("type"), form.raw("masque") == "oui")
            do throws(ServiceError) {
                try await publication.envoyer(
                    .put, "/sessions/\(Affichage.requete(session))/documents/\(Affichage.requete(type))/masquage", as: caller,
                    json: ["masque": masque])
                return await page(session, caller, request, context,
                                  succes: masque ? "Ce type de document est masqué aux candidats." : "Ce type de document est de nouveau visible des candidats.")
            } catch {
                return await page(session, caller, request, context, refus: error.message, status: error.status)
            }
        }

        web.post("gestionnaire/publication/rediffusion") { request, context -> Response in
            let caller = try context.caller()
            let session = try await WebForm.read(request).raw("session")
            struct Rediffusion: Decodable { var messages: Int }
            do throws(ServiceError) {
                let r = try await publication.lire(
                    Rediffusion.self, "/sessions/\(Affichage.requete(session))/publication/rediffusion", as: caller, method: .post)
                return await page(session, caller, request, context,
                                  succes: "\(r.messages) message(s) de résultat renvoyé(s) aux organismes abonnés.")
            } catch {
                return await page(session, caller, request, context, refus: error.message, status: error.status)
            }
        }
    }

    private func page(
        _ session: String, _ caller: InternalIdentity, _ request: Request, _ context: ServiceRequestContext,
        succes: String? = nil, refus: String? = nil, status: HTTPResponse.Status = .ok
    ) async -> Response {
        var page = Page(
            session: session, succes: succes, refus: refus, charge: false, statut: "", classeStatut: "", etape: "", verifiee: "",
            recus: 0, admis: 0, jurys: 0, publies: 0, ecarts: [], aDesEcarts: false, ecartsTotal: 0, revisions: [],
            aDesRevisions: false, publiee: false, types: [])
        var status = status
        if !session.isEmpty {
            do throws(ServiceError) {
                let etat = try await publication.lire(Etat.self, "/sessions/\(Affichage.requete(session))/publication", as: caller)
                page.charge = true
                page.publiee = etat.publieeLe != nil
                if let le = etat.publieeLe {
                    (page.statut, page.classeStatut) = ("Publiés le \(DateFrancaise.instant(iso: le))", "etat--ok")
                } else if !etat.ecarts.isEmpty {
                    (page.statut, page.classeStatut) = ("Publication bloquée par le rapprochement", "etat--refus")
                } else {
                    (page.statut, page.classeStatut) = ("Sous embargo", "etat--attente")
                }
                page.etape = etat.etapeOuverte ? "ouvert" : "fermé"
                page.verifiee = etat.verifieeLe.map { DateFrancaise.instant(iso: $0) } ?? "pas encore"
                (page.recus, page.admis, page.jurys, page.publies) = (etat.resultatsRecus, etat.admisRecus, etat.juriesClos, etat.resultatsPublies)
                page.ecarts = etat.ecarts.map { LigneEcart(jury: $0.jury ?? "—", numero: $0.numero ?? "—", message: $0.message) }
                page.aDesEcarts = !page.ecarts.isEmpty
                page.ecartsTotal = etat.ecartsTotal
                page.revisions = etat.revisions.map {
                    LigneRevision(numero: $0.numero, jury: $0.jury, avant: "\($0.decisionAvant) (révision \($0.revisionAvant))",
                                  apres: "\($0.decision) (révision \($0.revision))", le: DateFrancaise.instant(iso: $0.republieLe))
                }
                page.aDesRevisions = !page.revisions.isEmpty
                struct Masques: Decodable { var masques: [String] }
                let masques = try await publication.lire(Masques.self, "/sessions/\(Affichage.requete(session))/documents/masques", as: caller)
                page.types = [("releve", "Relevés de notes"), ("attestation", "Attestations de réussite"), ("diplome", "Diplômes")].map {
                    TypeDocument(type: $0.0, libelle: $0.1, masque: masques.masques.contains($0.0))
                }
            } catch {
                page.refus = page.refus ?? error.message
                if status == .ok { status = error.status }
            }
        }
        return await renderer.render("publication", titre: "Publication des résultats", page: page, request: request, context: context, status: status)
    }
}
