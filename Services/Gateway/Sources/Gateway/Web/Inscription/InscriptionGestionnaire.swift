import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The gestionnaire's registration screens for a session: the aménagement desk and the
/// regeneration of confirmations; its lists, exports and statistics are `InscriptionListes`'.
///
/// | page | what |
/// |---|---|
/// | `/gestionnaire/sessions/{code}/amenagements?etat&page` · `POST /gestionnaire/amenagements/{id}/decision` | the desk |
/// | `POST /gestionnaire/sessions/{code}/confirmations/regeneration` | new confirmations where the content changed |
extension InscriptionPages {
    /// Nothing notifies the candidate or his établissement of a decision (no mail is sent): the page
    /// says where they read it rather than claiming a notification that is not made.
    static let noticeDecision = "La décision est enregistrée dans le dossier de la candidature, où le candidat et son établissement la consultent. Aucun courriel ne leur est envoyé : prévenez-les si besoin."

    struct GuichetPage {
        var session: String
        var etats: [AccountPages.Option]
        var demandes: [DemandeVue]
        var total: Int
        var pagination: Pagination?
        var notice: String?
        var refus: ReglementationVue.Refus?
        var liste: String
    }

    struct DemandeVue {
        var id: String
        var numero: String
        var candidat: String
        var lien: String
        var uai: String
        var specialite: String
        var types: String
        var motif: String
        var avis: String
        var demandeLe: String
        var etat: String
        var classe: String
        var enAttente: Bool
        var decision: String?
        var decisions: [FormulaireCandidature.Choix]
        var mesures: [MesureVue]
        var majorationPourcent: String
        var motivation: String
        var erreurs: [String]
        var aErreurs: Bool
    }

    struct MesureVue {
        var id: String
        var type: String
        var libelle: String
        var choisie: Bool
        var precision: String
        var majoration: Bool
    }

    /// What the gestionnaire typed in a refused decision, to show it again.
    struct DecisionSaisie {
        var id: String
        var decision: String
        var mesures: Set<String>
        var majoration: String
        var precisions: [String: String]
        var motivation: String
        var erreurs: [String]
    }

    func addGestionnaire(to web: RouterGroup<ServiceRequestContext>) {
        web.post("gestionnaire/sessions/:code/confirmations/regeneration") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            _ = try await WebForm.read(request)
            let filtres = Filtres(request).requete
            let rapport = try await api.lire(
                InscriptionAPI.Regeneration.self,
                "/sessions/\(Affichage.requete(session))/confirmations/regeneration" + (filtres.isEmpty ? "" : "?" + filtres), as: caller,
                method: .post)
            return WebRenderer.redirect(
                "/gestionnaire/sessions/\(Affichage.requete(session))/candidatures?fait=regeneration&examinees=\(rapport.examinees)&regenerees=\(rapport.regenerees)")
        }

        web.get("gestionnaire/sessions/:code/amenagements") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            let query = request.uri.queryParameters
            let notice = query.get("fait") == "decision" ? Self.noticeDecision : nil
            let page = try await guichet(session, etat: query.get("etat"), page: Pagination.numero(request), notice: notice, as: caller)
            return await renderer.render("inscription-amenagements", titre: "Aménagements de la session \(session)", page: page,
                                         request: request, context: context)
        }

        web.post("gestionnaire/amenagements/:id/decision") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            let id = try context.parameters.require("id")
            guard let session = InscriptionVue.session(form["session"]) else { throw ServiceError.notFound("Session inconnue.") }
            let types = form.all("mesures")
            var saisie = DecisionSaisie(
                id: id, decision: form["decision"], mesures: Set(types), majoration: form["majoration"],
                precisions: Dictionary(uniqueKeysWithValues: InscriptionVue.typesAmenagement.map { ($0.0, form["precision.\($0.0)"]) }),
                motivation: form["motivation"], erreurs: [])
            if saisie.decision.isEmpty { saisie.erreurs.append("Choisissez la décision.") }
            var majoration: Int?
            if types.contains("temps_majore") {
                majoration = Int(saisie.majoration.replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces))
                if majoration == nil { saisie.erreurs.append("Indiquez la majoration du temps en pour cent (par exemple 33).") }
            }
            if saisie.erreurs.isEmpty {
                struct Mesure: Encodable { var type: String; var majorationPourcent: Int?; var precision: String? }
                struct Corps: Encodable { var decision: String; var mesures: [Mesure]; var motivation: String? }
                let corps = Corps(
                    decision: saisie.decision,
                    mesures: saisie.decision == "refuse" ? [] : types.map {
                        Mesure(type: $0, majorationPourcent: $0 == "temps_majore" ? majoration : nil,
                               precision: (saisie.precisions[$0] ?? "").isEmpty ? nil : saisie.precisions[$0])
                    },
                    motivation: saisie.motivation.isEmpty ? nil : saisie.motivation)
                do throws(ServiceError) {
                    try await api.envoyer(.post, "/amenagements/\(Affichage.requete(id))/decision", as: caller, json: corps)
                    return WebRenderer.redirect("/gestionnaire/sessions/\(Affichage.requete(session))/amenagements?fait=decision")
                } catch {
                    if error.status == .forbidden || error.status.code >= 500 { throw error }
                    saisie.erreurs = error.details.isEmpty ? [error.message] : error.details.map(\.message)
                }
            }
            var page = try await guichet(session, etat: "demande", page: 1, saisie: saisie, as: caller)
            page.refus = .init(titre: "La décision n'a pas été enregistrée.", message: saisie.erreurs.joined(separator: " "), details: [])
            return await renderer.render("inscription-amenagements", titre: "Erreur : aménagements de la session \(session)", page: page,
                                         request: request, context: context, status: .unprocessableContent)
        }
    }

    static let etatsAmenagement: [(String, String)] = [
        ("demande", "À traiter"), ("accorde", "Accordés"), ("accorde_partiellement", "Accordés partiellement"), ("refuse", "Refusés"),
    ]

    /// The aménagement requests of a session (by default those waiting for a decision), each
    /// with its decision form.
    func guichet(
        _ session: String, etat texte: String?, page numero: Int, notice: String? = nil, saisie: DecisionSaisie? = nil, as caller: InternalIdentity
    ) async throws -> GuichetPage {
        let etat = texte.map { t in Self.etatsAmenagement.contains { $0.0 == t } ? t : "" } ?? "demande"
        let taille = 20
        var chemin = "/sessions/\(Affichage.requete(session))/amenagements?taille=\(taille)&page=\(numero)"
        if !etat.isEmpty { chemin += "&etat=\(etat)" }
        let liste = try await api.lire(ServiceClient.Page<InscriptionAPI.Amenagement>.self, chemin, as: caller)
        let racine = "/gestionnaire/sessions/\(Affichage.requete(session))/amenagements"
        return GuichetPage(
            session: session,
            etats: [AccountPages.Option(valeur: "", libelle: "Tous", choisi: etat.isEmpty)]
                + Self.etatsAmenagement.map { AccountPages.Option(valeur: $0.0, libelle: $0.1, choisi: $0.0 == etat) },
            demandes: liste.items.map { a in
                let (libelle, classe) = InscriptionVue.etatAmenagement(a.etat)
                let s = saisie?.id == a.id ? saisie : nil
                let demandes = Set(a.types)
                return DemandeVue(
                    id: a.id, numero: a.numero, candidat: a.candidat, lien: Espace.gestionnaire.candidature(a.candidature), uai: a.uai ?? "Grand Public",
                    specialite: a.specialite, types: a.types.map(InscriptionVue.typeAmenagement).joined(separator: ", "), motif: a.motif,
                    avis: "/gestionnaire/pieces/\(Affichage.requete(a.avis))", demandeLe: DateFrancaise.instant(iso: a.demandeLe),
                    etat: libelle, classe: classe, enAttente: a.etat == "demande",
                    decision: a.mesures.isEmpty ? a.motivation : a.mesures.map(InscriptionVue.mesure).joined(separator: " ; ")
                        + (a.motivation.map { " — \($0)" } ?? ""),
                    decisions: InscriptionVue.decisions.map {
                        FormulaireCandidature.Choix(id: "decision-\(a.id)-\($0.0)", valeur: $0.0, libelle: $0.1, choisi: s?.decision == $0.0)
                    },
                    mesures: InscriptionVue.typesAmenagement.map { type in
                        MesureVue(id: "mesure-\(a.id)-\(type.0)", type: type.0, libelle: type.1,
                                  choisie: s.map { $0.mesures.contains(type.0) } ?? demandes.contains(type.0),
                                  precision: s?.precisions[type.0] ?? "", majoration: type.0 == "temps_majore")
                    },
                    majorationPourcent: s?.majoration ?? "33", motivation: s?.motivation ?? "", erreurs: s?.erreurs ?? [], aErreurs: !(s?.erreurs ?? []).isEmpty)
            },
            total: liste.total,
            pagination: Pagination(page: numero, taille: taille, total: liste.total, base: "\(racine)?etat=\(etat)&"),
            notice: notice, refus: nil, liste: "/gestionnaire/sessions/\(Affichage.requete(session))/candidatures")
    }
}
