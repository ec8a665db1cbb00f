import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The evaluation pages: the grader portal (his lots; a keyboard-first entry table that saves
/// each cell as it is left, shows the error beside it, and works as a plain form without
/// JavaScript; the lock with its confirmation), the établissement's CCF entry (same table), and
/// the follow-up of the collection with a server-rendered SVG progress chart (gestionnaire; the
/// centre de correction for the lots it hosts). Everything goes through the evaluation service.
///
/// | page | who |
/// |---|---|
/// | `/correcteur/lots`, `/correcteur/lots/{id}` (GET, POST), `/correcteur/lots/{id}/verrouillage` (POST) | correcteur, interrogateur |
/// | `/etablissement/evaluation?session=…`, `/etablissement/evaluation/lots/{id}` (GET, POST), `…/verrouillage` (POST) | établissement |
/// | `/gestionnaire/sessions/{code}/evaluation` | gestionnaire |
struct EvaluationPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    var evaluation: ServiceClient { ServiceClient(directory: directory, service: "evaluation", timeout: .seconds(8)) }

    // MARK: What the service answers

    struct Lot: Decodable {
        var id: String
        var session: String
        var unite: String
        var epreuve: String
        var numero: Int
        var nature: String
        var centre: String
        var pas: Int
        var ouvert: Bool
        var verrouille: Bool
        var copies: Int
        var saisies: Int
    }

    struct Copie: Decodable {
        var numero: String
        var affichage: String?
        var absence: String?
    }

    // MARK: Pages

    struct LigneLot {
        var titre: String
        var lien: String
        var etat: String
        var progression: String
    }

    struct LotsPage {
        var lots: [LigneLot]
        var vide: Bool
        var intro: String
        var session: String?
    }

    struct LigneSaisie {
        var index: Int
        var copie: String
        var valeur: String
        var erreur: String?
        var absence: String?
    }

    struct SaisiePage {
        var titre: String
        var details: String
        var action: String
        var verrouillage: String
        var api: String
        var lignes: [LigneSaisie]
        var modifiable: Bool
        var verrouille: Bool
        var succes: String?
        var refus: String?
        var retour: String
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("correcteur/lots") { request, context -> Response in
            let caller = try context.caller()
            let lots = (try? await evaluation.lire(ServiceClient.Liste<Lot>.self, "/correcteurs/moi/lots", as: caller).items) ?? []
            let page = LotsPage(
                lots: lots.map { Self.ligne($0, lien: "/correcteur/lots/\($0.id)") }, vide: lots.isEmpty,
                intro: "Vos lots : saisissez les notes (numéros d'anonymat seulement), puis verrouillez votre saisie.", session: nil)
            return await renderer.render("evaluation-lots", titre: "Mes lots", page: page, request: request, context: context)
        }
        // The grader's lots and the établissement's CCF lots: one entry table (roles: `PageRoles`).
        for prefixe in ["correcteur/lots", "etablissement/evaluation/lots"] {
            web.get("\(prefixe)/:id") { request, context -> Response in
                let caller = try context.caller()
                return try await saisie(try context.parameters.require("id"), prefixe: prefixe, caller, request, context)
            }
            web.post("\(prefixe)/:id") { request, context -> Response in
                let caller = try context.caller()
                let id = try context.parameters.require("id")
                let form = try await WebForm.read(request)
                let saisies = form.values.filter { $0.key.hasPrefix("note.") && !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
                    .map { (copie: String($0.key.dropFirst(5)), note: $0.value.trimmingCharacters(in: .whitespaces)) }
                    .sorted { $0.copie < $1.copie }
                guard !saisies.isEmpty else {
                    return try await saisie(id, prefixe: prefixe, caller, request, context, refus: "Aucune note saisie.")
                }
                let corps = ["notes": saisies.map { ["copie": $0.copie, "note": $0.note] }]
                let answer = try await evaluation.appel(.post, "/lots/\(Affichage.requete(id))/notes?attendre=5000", as: caller, json: corps)
                switch answer.status.code {
                case 200:
                    return try await saisie(id, prefixe: prefixe, caller, request, context, succes: "\(saisies.count) note(s) enregistrée(s).")
                case 202:
                    return try await saisie(id, prefixe: prefixe, caller, request, context,
                                            succes: "\(saisies.count) note(s) reçue(s) : leur enregistrement est en cours, rechargez la page dans un instant.")
                default:
                    let refus = evaluation.refus(answer)
                    var erreurs: [String: String] = [:]
                    var valeurs: [String: String] = [:]
                    for (index, s) in saisies.enumerated() {
                        valeurs[s.copie] = s.note
                        for detail in refus.details where detail.location.hasPrefix("notes[\(index)]") { erreurs[s.copie] = detail.message }
                    }
                    return try await saisie(id, prefixe: prefixe, caller, request, context, refus: refus.message,
                                            erreurs: erreurs, valeurs: valeurs, status: .unprocessableContent)
                }
            }
            web.post("\(prefixe)/:id/verrouillage") { request, context -> Response in
                let caller = try context.caller()
                let id = try context.parameters.require("id")
                let form = try await WebForm.read(request)
                guard form["confirmation"] == "oui" else {
                    return try await saisie(id, prefixe: prefixe, caller, request, context,
                                            refus: "Cochez la case de confirmation pour verrouiller : après le verrouillage, seul le gestionnaire peut rouvrir la saisie.")
                }
                let answer = try await evaluation.appel(.post, "/lots/\(Affichage.requete(id))/verrouillage", as: caller)
                if answer.status == .ok {
                    return try await saisie(id, prefixe: prefixe, caller, request, context, succes: "Votre saisie est verrouillée.")
                }
                return try await saisie(id, prefixe: prefixe, caller, request, context, refus: evaluation.refus(answer).message)
            }
        }

        web.get("etablissement/evaluation") { request, context -> Response in
            let caller = try context.caller()
            let session = request.uri.queryParameters.get("session") ?? ""
            var lots: [Lot] = []
            if !session.isEmpty {
                lots = (try? await evaluation.lire(ServiceClient.Liste<Lot>.self, "/sessions/\(Affichage.requete(session))/lots", as: caller).items) ?? []
            }
            let ccf = lots.filter { $0.nature == "ccf" }
            let page = LotsPage(
                lots: ccf.map { Self.ligne($0, lien: "/etablissement/evaluation/lots/\($0.id)") }, vide: ccf.isEmpty,
                intro: "Les lots CCF de vos candidats (gestion autonome) : saisissez leurs notes puis verrouillez chaque lot.",
                session: session)
            return await renderer.render("evaluation-lots", titre: "Notes CCF", page: page, request: request, context: context)
        }

        web.get("gestionnaire/sessions/:code/evaluation") { request, context -> Response in
            let caller = try context.caller()
            let code = try context.parameters.require("code")
            struct Ligne: Decodable { var cle: String; var libelle: String; var lots: Int; var lotsVerrouilles: Int; var attendues: Int; var saisies: Int; var lotsNonCommences: Int }
            let lignes = try await evaluation.lire(ServiceClient.Liste<Ligne>.self, "/sessions/\(Affichage.requete(code))/suivi?par=unite", as: caller).items
            let page = SuiviPage(
                session: code, graphique: Self.graphique(lignes.map { ($0.libelle, $0.attendues, $0.saisies, $0.lotsVerrouilles, $0.lots) }),
                lignes: lignes.map { l in
                    SuiviPage.Ligne(
                        unite: l.libelle, lots: l.lots, verrouilles: l.lotsVerrouilles, attendues: l.attendues, saisies: l.saisies,
                        pourcentage: l.attendues == 0 ? "—" : "\(l.saisies * 100 / l.attendues) %", nonCommences: l.lotsNonCommences)
                },
                decharge: "/api/v1/evaluation/sessions/\(Affichage.requete(code))/decharge.csv", vide: lignes.isEmpty)
            return await renderer.render("evaluation-suivi", titre: "Collecte des notes — \(code)", page: page, request: request, context: context)
        }
    }

    struct SuiviPage {
        struct Ligne {
            var unite: String
            var lots: Int
            var verrouilles: Int
            var attendues: Int
            var saisies: Int
            var pourcentage: String
            var nonCommences: Int
        }
        var session: String
        var graphique: String
        var lignes: [Ligne]
        var decharge: String
        var vide: Bool
    }

    // MARK: Helpers

    private func saisie(
        _ id: String, prefixe: String, _ caller: InternalIdentity, _ request: Request, _ context: ServiceRequestContext,
        succes: String? = nil, refus: String? = nil, erreurs: [String: String] = [:], valeurs: [String: String] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let chemin = "/lots/\(Affichage.requete(id))"
        let lot = try await evaluation.lire(Lot.self, chemin, as: caller)
        let copies = try await evaluation.lire(ServiceClient.Liste<Copie>.self, "\(chemin)/copies", as: caller).items
        let pas = String(format: "%.2f", Double(lot.pas) / 100).replacingOccurrences(of: ".", with: ",")
        let page = SaisiePage(
            titre: "Lot n° \(lot.numero) — \(lot.unite)",
            details: "Session \(lot.session), épreuve \(lot.epreuve), \(lot.copies) copies, \(lot.saisies) notées. Notes sur 20 au pas de \(pas) point, ou ABS, ABJ, DI.",
            action: "/\(prefixe)/\(id)", verrouillage: "/\(prefixe)/\(id)/verrouillage", api: "/api/v1/evaluation\(chemin)/notes",
            lignes: copies.enumerated().map { index, copie in
                LigneSaisie(index: index, copie: copie.numero, valeur: valeurs[copie.numero] ?? copie.affichage ?? "",
                            erreur: erreurs[copie.numero], absence: copie.absence)
            },
            modifiable: lot.ouvert && !lot.verrouille, verrouille: lot.verrouille, succes: succes, refus: refus,
            retour: prefixe.hasPrefix("correcteur") ? "/correcteur/lots" : "/etablissement/evaluation?session=\(Affichage.requete(lot.session))")
        return await renderer.render("evaluation-saisie", titre: page.titre, page: page, request: request, context: context, status: status)
    }

    static func ligne(_ lot: Lot, lien: String) -> LigneLot {
        LigneLot(
            titre: "\(lot.unite) — lot n° \(lot.numero) (\(lot.session))", lien: lien,
            etat: lot.verrouille ? "verrouillé" : lot.ouvert ? "saisie ouverte" : "saisie fermée",
            progression: "\(lot.saisies) / \(lot.copies)")
    }

    /// Horizontal bars per unit: grades entered (dark) over expected, and locked lots, as SVG.
    static func graphique(_ lignes: [(libelle: String, attendues: Int, saisies: Int, verrouilles: Int, lots: Int)]) -> String {
        let hauteurLigne = 34, largeur = 640, gauche = 110, barre = 460
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="graphique-titre" width="\##(largeur)" height="\##(lignes.count * hauteurLigne + 30)" viewBox="0 0 \##(largeur) \##(lignes.count * hauteurLigne + 30)"><title id="graphique-titre">Progression de la saisie par unité</title>"##
        for (i, l) in lignes.enumerated() {
            let y = 10 + i * hauteurLigne
            let saisie = l.attendues == 0 ? 0 : barre * l.saisies / l.attendues
            let verrou = l.lots == 0 ? 0 : barre * l.verrouilles / l.lots
            let pourcent = l.attendues == 0 ? 0 : l.saisies * 100 / l.attendues
            svg += ##"<text x="0" y="\##(y + 14)" font-size="13">\##(Self.echappe(l.libelle))</text>"##
            svg += ##"<rect x="\##(gauche)" y="\##(y)" width="\##(barre)" height="14" fill="#e5e5e5"/>"##
            svg += ##"<rect x="\##(gauche)" y="\##(y)" width="\##(saisie)" height="14" fill="#000091"><title>\##(l.saisies) notes saisies sur \##(l.attendues)</title></rect>"##
            svg += ##"<rect x="\##(gauche)" y="\##(y + 16)" width="\##(verrou)" height="6" fill="#18753c"><title>\##(l.verrouilles) lots verrouillés sur \##(l.lots)</title></rect>"##
            svg += ##"<text x="\##(gauche + barre + 8)" y="\##(y + 12)" font-size="12">\##(pourcent) %</text>"##
        }
        return svg + "</svg>"
    }

    static func echappe(_ texte: String) -> String {
        texte.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
