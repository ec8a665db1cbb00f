import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The Grand Public candidate's registration wizard, in four steps that work without
/// JavaScript: identity → spécialité, options and forme → récapitulatif → validation. The first
/// two steps carry what was typed in hidden fields; the second creates the brouillon on the
/// service, the third shows it as the service keeps it, the fourth is the signature.
///
/// | page | what |
/// |---|---|
/// | `/candidat/inscription?session` | step 1: the session (when several are open to the Grand Public) and the identity |
/// | `POST /candidat/inscription/identite` | step 1 checked → step 2 |
/// | `POST /candidat/inscription/choix` | step 2 → the brouillon created, 303 to step 3 (or back to step 1 with `precedent`) |
/// | `/candidat/inscription/{id}` · `POST …/validation` | step 3: the récapitulatif and the validation |
/// | `/candidat/inscription/{id}/validee` | step 4: validated, the confirmation to download |
extension InscriptionPages {
    struct AssistantPage {
        var etape: Int
        var etapes: [EtapeVue]
        var session: String
        var libelleSession: String
        var sessions: [AccountPages.Option]
        var plusieursSessions: Bool
        var erreurSession: String?
        var formulaireCandidature: FormulaireCandidature.Vue?
        var ferme: String?
        var existante: LigneCandidatureCandidat?
        var recapitulatif: Recapitulatif?
        var refus: ReglementationVue.Refus?
        var certification: Formulaire.Vue?
    }

    struct EtapeVue {
        var numero: Int
        var libelle: String
        var courante: Bool
        var faite: Bool
    }

    struct Recapitulatif {
        var id: String
        var numero: String
        var faits: [AggregateView.Valeur]
        var identite: [AggregateView.Valeur]
        var pieces: [String]
        var aPieces: Bool
        var modifier: String
        var validation: String
        var confirmation: String
        var dossier: String
    }

    struct LigneCandidatureCandidat {
        var numero: String
        var session: String
        var specialite: String
        var etat: String
        var classe: String
        var lien: String
        var confirmation: String?
        var brouillon: Bool
        var suite: String
    }

    static let etapesAssistant = ["Identité", "Spécialité et forme", "Récapitulatif", "Validation"]

    static func etapes(_ courante: Int) -> [EtapeVue] {
        etapesAssistant.enumerated().map { EtapeVue(numero: $0.offset + 1, libelle: $0.element, courante: $0.offset + 1 == courante, faite: $0.offset + 1 < courante) }
    }

    func addCandidat(to web: RouterGroup<ServiceRequestContext>) {
        web.get("candidat/inscription") { request, context -> Response in
            let caller = try context.caller()
            let demandee = request.uri.queryParameters.get("session").flatMap(InscriptionVue.session)
            var saisie = FormulaireCandidature()
            if let id = UUID(uuidString: caller.subject), let compte = try? await renderer.accounts.find(id: id) {
                saisie.definir("courriel", compte.email ?? "")
            }
            return try await etapeIdentite(saisie, session: demandee, caller: caller, request: request, context: context)
        }

        web.post("candidat/inscription/identite") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            var saisie = FormulaireCandidature(form: form)
            let session = InscriptionVue.session(form["session"])
            saisie.verifierIdentite()
            guard let session, !saisie.formulaire.hasErrors else {
                return try await etapeIdentite(saisie, session: session, erreurSession: session == nil ? "Choisissez la session." : nil,
                                               caller: caller, request: request, context: context, status: .unprocessableContent)
            }
            return try await etapeChoix(saisie, session: session, caller: caller, request: request, context: context)
        }

        web.post("candidat/inscription/choix") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            var saisie = FormulaireCandidature(form: form)
            guard let session = InscriptionVue.session(form["session"]) else {
                return try await etapeIdentite(saisie, session: nil, caller: caller, request: request, context: context)
            }
            if form.values["precedent"] != nil {
                return try await etapeIdentite(saisie, session: session, caller: caller, request: request, context: context)
            }
            saisie.verifierChoix(categorie: false)
            if saisie.formulaire.hasErrors {
                return try await etapeChoix(saisie, session: session, caller: caller, request: request, context: context, status: .unprocessableContent)
            }
            struct Cree: Decodable { var id: String }
            let answer = try await api.appel(.post, "/sessions/\(Affichage.requete(session))/candidatures", as: caller,
                                             json: saisie.saisie(categorie: "individuel"))
            if answer.status == .created, let cree = try? JSONDecoder().decode(Cree.self, from: answer.body) {
                return WebRenderer.redirect("/candidat/inscription/\(Affichage.requete(cree.id))")
            }
            let refus = api.refus(answer)
            if refus.status.code >= 500 || refus.status == .notFound { throw refus }
            saisie.appliquer(refus)
            let identite = Set(FormulaireCandidature.identite)
            let surIdentite = saisie.formulaire.champs.values.contains { $0.erreur != nil && identite.contains($0.nom) }
            if surIdentite {
                return try await etapeIdentite(saisie, session: session, caller: caller, request: request, context: context, status: refus.status)
            }
            return try await etapeChoix(saisie, session: session, caller: caller, request: request, context: context, status: refus.status)
        }

        web.get("candidat/inscription/:id") { request, context -> Response in
            let caller = try context.caller()
            let id = try context.parameters.require("id")
            return try await etapeRecapitulatif(id, caller: caller, request: request, context: context)
        }

        web.post("candidat/inscription/:id/validation") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            let id = try context.parameters.require("id")
            guard form["certifie"] == "oui" else {
                var certification = Self.certification()
                certification.erreur("certifie", "Cochez la case pour certifier l'exactitude de votre candidature : la validation vaut signature.")
                return try await etapeRecapitulatif(id, certification: certification, caller: caller, request: request, context: context,
                                                    status: .unprocessableContent)
            }
            let answer = try await api.appel(.post, "/candidatures/\(Affichage.requete(id))/validation", as: caller)
            if answer.status == .ok { return WebRenderer.redirect("/candidat/inscription/\(Affichage.requete(id))/validee") }
            let refus = api.refus(answer)
            if refus.status == .forbidden || refus.status == .notFound || refus.status.code >= 500 { throw refus }
            return try await etapeRecapitulatif(id, refus: Self.refusValidation(refus), caller: caller, request: request, context: context,
                                                status: refus.status)
        }

        web.get("candidat/inscription/:id/validee") { request, context -> Response in
            let caller = try context.caller()
            let id = try context.parameters.require("id")
            let candidature = try await api.lire(InscriptionAPI.Candidature.self, "/candidatures/\(Affichage.requete(id))", as: caller)
            guard candidature.estValidee else { return WebRenderer.redirect("/candidat/inscription/\(Affichage.requete(id))") }
            var recapitulatif = try await recapitulatif(candidature, caller: caller)
            recapitulatif.faits.insert(.init(nom: "Validée le", valeur: candidature.valideeLe.map { DateFrancaise.instant(iso: $0) } ?? "—"), at: 0)
            let page = AssistantPage(
                etape: 4, etapes: Self.etapes(4), session: candidature.session, libelleSession: candidature.session, sessions: [],
                plusieursSessions: false, recapitulatif: recapitulatif)
            return await renderer.render("candidat-inscription", titre: "Candidature validée", page: page, request: request, context: context)
        }
    }

    // MARK: Steps

    private func etapeIdentite(
        _ saisie: FormulaireCandidature, session demandee: String?, erreurSession: String? = nil, caller: InternalIdentity,
        request: Request, context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        // The sessions open to the Grand Public (or the one asked for).
        var offres: [InscriptionAPI.Offre] = []
        if let demandee {
            offres = [try await offre(demandee, as: caller)]
        } else {
            let ouvertes = await ServiceClient.sessionsOuvertes(directory)
            offres = await withTaskGroup(of: (Int, InscriptionAPI.Offre?).self) { group in
                for (index, session) in ouvertes.enumerated() {
                    group.addTask { (index, try? await offre(session.code, as: caller)) }
                }
                var trouvees: [(Int, InscriptionAPI.Offre)] = []
                for await (index, offre) in group where offre?.grandPublicOuvert == true { trouvees.append((index, offre!)) }
                return trouvees.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
        var page = AssistantPage(
            etape: 1, etapes: Self.etapes(1), session: offres.first?.session ?? "", libelleSession: offres.first?.libelle ?? "",
            sessions: offres.map { AccountPages.Option(valeur: $0.session, libelle: "\($0.libelle) (\($0.session))", choisi: $0.session == demandee) },
            plusieursSessions: offres.count > 1 && demandee == nil, erreurSession: erreurSession)
        guard let premiere = offres.first, offres.contains(where: \.grandPublicOuvert) else {
            page.ferme = demandee.map { "Les inscriptions des candidats individuels ne sont pas ouvertes pour la session \($0)." }
                ?? "Les inscriptions des candidats individuels (Grand Public) ne sont pas ouvertes pour le moment. Revenez à l'ouverture du service annoncée par l'académie."
            return await renderer.render("candidat-inscription", titre: "M'inscrire", page: page, request: request, context: context)
        }
        // One BP per session: an existing candidature is shown instead of a second form.
        if offres.count == 1, let existante = await candidaturesDuCandidat(caller, sessions: [premiere.session]).first(where: { $0.etat != "Annulée" }) {
            page.existante = existante
            return await renderer.render("candidat-inscription", titre: "M'inscrire", page: page, request: request, context: context)
        }
        let caches = saisie.caches(["specialite", "options", "facultatives", "forme", "consentementPublication"]) + (page.plusieursSessions ? [] : [.init(nom: "session", valeur: premiere.session)])
        page.formulaireCandidature = saisie.vue(
            action: "/candidat/inscription/identite", bouton: "Continuer", choix: false, offre: nil, caches: caches,
            retour: "/candidat", retourLibelle: "Annuler")
        let titre = "M'inscrire : identité (étape 1 sur 4)"
        return await renderer.render("candidat-inscription", titre: status == .ok ? titre : "Erreur : \(titre)", page: page,
                                     request: request, context: context, status: status)
    }

    private func etapeChoix(
        _ saisie: FormulaireCandidature, session: String, caller: InternalIdentity, request: Request, context: ServiceRequestContext,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let offre = try await offre(session, as: caller)
        var page = AssistantPage(
            etape: 2, etapes: Self.etapes(2), session: session, libelleSession: offre.libelle, sessions: [], plusieursSessions: false)
        var saisie = saisie
        if saisie["forme"].isEmpty { saisie.definir("forme", "globale") }
        page.formulaireCandidature = saisie.vue(
            action: "/candidat/inscription/choix", bouton: "Enregistrer et voir le récapitulatif", identite: false, offre: offre,
            caches: saisie.caches(FormulaireCandidature.identite) + [.init(nom: "session", valeur: session)],
            precedent: "Étape précédente")
        let titre = "M'inscrire : spécialité et forme (étape 2 sur 4)"
        return await renderer.render("candidat-inscription", titre: status == .ok ? titre : "Erreur : \(titre)", page: page,
                                     request: request, context: context, status: status)
    }

    static func certification() -> Formulaire {
        Formulaire([Champ("certifie", "Je certifie sur l'honneur l'exactitude des informations de ma candidature ; je sais que cette validation vaut signature.")])
    }

    private func etapeRecapitulatif(
        _ id: String, refus: ReglementationVue.Refus? = nil, certification: Formulaire = InscriptionPages.certification(),
        caller: InternalIdentity, request: Request, context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let candidature = try await api.lire(InscriptionAPI.Candidature.self, "/candidatures/\(Affichage.requete(id))", as: caller)
        if candidature.etat != "brouillon" { return WebRenderer.redirect(Espace.candidat.candidature(candidature.id)) }
        var page = AssistantPage(
            etape: 3, etapes: Self.etapes(3), session: candidature.session, libelleSession: candidature.session, sessions: [],
            plusieursSessions: false, recapitulatif: try await recapitulatif(candidature, caller: caller), refus: refus,
            certification: certification.vue)
        page.libelleSession = (try? await offre(candidature.session, as: caller))?.libelle ?? candidature.session
        let titre = "M'inscrire : récapitulatif (étape 3 sur 4)"
        return await renderer.render("candidat-inscription", titre: status == .ok ? titre : "Erreur : \(titre)", page: page,
                                     request: request, context: context, status: status)
    }

    private func recapitulatif(_ c: InscriptionAPI.Candidature, caller: InternalIdentity) async throws -> Recapitulatif {
        let offre = try? await offre(c.session, as: caller)
        let specialite = offre?.specialites.first { $0.code == c.specialite }
        func libelle(_ code: String) -> String {
            let option = (specialite?.options ?? []) + (specialite?.facultatives ?? [])
            return option.first { $0.code == code }.map { "\($0.code) — \($0.libelle)" } ?? code
        }
        let d = c.candidat
        let pieces = (try? await api.lire(InscriptionAPI.Pieces.self, "/candidatures/\(Affichage.requete(c.id))/pieces", as: caller))?
            .attendues.filter { $0.statut == "attendue" }.map { "\($0.libelle)\($0.obligatoire ? " (obligatoire)" : "")" } ?? []
        let lien = Espace.candidat.candidature(c.id)
        return Recapitulatif(
            id: c.id, numero: c.numero,
            faits: [
                .init(nom: "Numéro candidat", valeur: c.numero), .init(nom: "Session", valeur: c.session),
                .init(nom: "Spécialité", valeur: specialite.map { "\($0.libelle) (\($0.code))" } ?? c.specialite),
                .init(nom: "Options", valeur: c.options.isEmpty ? "aucune" : c.options.map(libelle).joined(separator: ", ")),
                .init(nom: "Unité facultative", valeur: c.facultatives.isEmpty ? "aucune" : c.facultatives.map(libelle).joined(separator: ", ")),
                .init(nom: "Forme", valeur: InscriptionVue.forme(c.forme)),
                .init(nom: "Publication de mon nom avec mon résultat", valeur: InscriptionVue.consentement(c.consentementPublication)),
            ],
            identite: [
                .init(nom: "Nom", valeur: d.nomFamille + (d.nomUsage.map { " (nom d'usage : \($0))" } ?? "")), .init(nom: "Prénoms", valeur: d.prenoms),
                .init(nom: "Sexe", valeur: d.sexe == "F" ? "Féminin" : "Masculin"),
                .init(nom: "Né(e) le", valeur: "\(DateFrancaise.jour(d.dateNaissance)) à \(d.communeNaissance) (\(d.paysNaissance ?? "France"))"),
                .init(nom: "INE", valeur: d.ine ?? "—"), .init(nom: "Adresse", valeur: "\(d.adresse), \(d.codePostal) \(d.commune)"),
                .init(nom: "Courriel", valeur: d.courriel ?? "—"), .init(nom: "Téléphone", valeur: d.telephone ?? "—"),
            ],
            pieces: pieces, aPieces: !pieces.isEmpty, modifier: "\(lien)/modification", validation: "/candidat/inscription/\(Affichage.requete(c.id))/validation",
            confirmation: "\(lien)/confirmation.pdf", dossier: lien)
    }

    // MARK: The candidate's space

    /// The caller's candidatures in `sessions` (the open ones when nil), newest session first.
    func candidaturesDuCandidat(_ caller: InternalIdentity, sessions: [String]? = nil) async -> [LigneCandidatureCandidat] {
        let codes: [String]
        if let sessions { codes = sessions } else { codes = await ServiceClient.sessionsOuvertes(directory).map(\.code) }
        return await withTaskGroup(of: (Int, [LigneCandidatureCandidat]).self) { group in
            for (index, session) in codes.enumerated() {
                group.addTask {
                    guard let page = try? await api.lire(
                        ServiceClient.Page<InscriptionAPI.Candidature>.self, "/sessions/\(Affichage.requete(session))/candidatures?taille=20", as: caller)
                    else { return (index, []) }
                    return (index, page.items.map { c in
                        let (etat, classe) = InscriptionVue.etat(c.etat)
                        let lien = Espace.candidat.candidature(c.id)
                        return LigneCandidatureCandidat(
                            numero: c.numero, session: c.session, specialite: c.specialite, etat: etat, classe: classe, lien: lien,
                            confirmation: c.estValidee ? "\(lien)/confirmation.pdf" : nil, brouillon: c.etat == "brouillon",
                            suite: c.etat == "brouillon" ? "/candidat/inscription/\(Affichage.requete(c.id))" : lien)
                    })
                }
            }
            var lignes: [(Int, [LigneCandidatureCandidat])] = []
            for await ligne in group { lignes.append(ligne) }
            return lignes.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}
