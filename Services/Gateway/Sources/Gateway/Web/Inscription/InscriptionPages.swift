import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The pages of the Inscription service, by role. Every call goes to the service as the person
/// using the page: the service decides what he may see and do, the pages show its answers and
/// its French refusals.
///
/// | page | who |
/// |---|---|
/// | `/{espace}/candidatures/{id}` (+ `/validation`, `/annulation`, `/pieces`, `/amenagements`, `/modification`, `/confirmation.pdf`) | the candidature's page and actions, `espace` = `gestionnaire`, `etablissement` or `candidat` |
/// | `/{espace}/pieces/{id}` | a pièce's file (the service checks who asks) |
/// | `/etablissement/inscription/{code}…`, `/gestionnaire/sessions/{code}/candidatures…` (`InscriptionListes`) | the lists, exports and statistics both share |
/// | `/etablissement/inscription…` (`InscriptionEtablissement`) | the établissement's sessions, entry, import, papillons |
/// | `/candidat/inscription…` (`InscriptionCandidat`) | the Grand Public wizard |
/// | `/gestionnaire/sessions/{code}/candidatures…`, `/amenagements` (`InscriptionGestionnaire`) | lists, statistics, export, aménagement desk, regeneration |
struct InscriptionPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer
    let identity: IdentityService

    var api: ServiceClient { ServiceClient(directory: directory, service: "inscription") }

    /// Where a role reads and acts on candidatures.
    enum Espace: String, CaseIterable, Sendable {
        case gestionnaire, etablissement, candidat

        var role: Role {
            switch self {
            case .gestionnaire: .gestionnaire
            case .etablissement: .etablissement
            case .candidat: .candidat
            }
        }

        var prefixe: String { "/\(rawValue)" }

        func candidature(_ id: String) -> String { "\(prefixe)/candidatures/\(Affichage.requete(id))" }
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        addDossier(to: web)
        addListes(to: web)
        addEtablissement(to: web)
        addCandidat(to: web)
        addGestionnaire(to: web)
    }

    static let notices: [String: String] = [
        "creee": "La candidature est enregistrée comme brouillon. Vérifiez-la, déposez les pièces demandées, puis validez-la.",
        "modifiee": "Les modifications sont enregistrées.",
        "validee": "La candidature est validée : cette validation vaut signature. Sa confirmation est prête à télécharger.",
        "annulee": "La candidature est annulée.",
        "piece": "La pièce est déposée.",
        "amenagement": "La demande d'aménagement est enregistrée ; le gestionnaire y répondra.",
        "decision-piece": "La décision sur la pièce est enregistrée.",
    ]

    static let typesPieceSpeciaux: [(String, String)] = [
        ("AVIS_MEDICAL", "Avis médical (aménagements)"), ("DISPENSE", "Justificatif de dispense (diplôme, relevé)"),
        ("BENEFICE", "Relevé de notes du bénéfice"),
    ]

    /// Pièces weigh 5 Mio at most (the service's limit); the form around them a little more.
    static let tailleEnvoiPiece = (5 << 20) + (64 << 10)

    // MARK: The candidature's page

    struct DossierPage {
        var espace: String
        var lien: String
        var id: String
        var numero: String
        var session: String
        var nom: String
        var etat: String
        var etatClasse: String
        var faits: [AggregateView.Valeur]
        var identite: [AggregateView.Valeur]
        var unites: [LigneUnite]
        var mesures: [String]
        var attendues: [LignePiece]
        var deposees: [LignePiece]
        var typesPiece: [AccountPages.Option]
        var formulairePiece: Formulaire.Vue
        var amenagements: [LigneAmenagement]
        var formulaireAmenagement: Formulaire.Vue
        var typesAmenagement: [FormulaireCandidature.Choix]
        var avisDeposes: [AccountPages.Option]
        var confirmations: [LigneConfirmation]
        var historique: [LigneHistorique]
        var annulation: Formulaire.Vue
        var notice: String?
        var refus: ReglementationVue.Refus?
        var retour: String
        var retourLibelle: String
        var peutModifier: Bool
        var peutValider: Bool
        var peutAnnuler: Bool
        var peutDeposer: Bool
        var peutDemander: Bool
        var peutDecider: Bool
        var peutPapillon: Bool
        var annulee: Bool
        var motifAnnulation: String?
        // Mustache sees stored values only: what the lists hold, set by `complete()`.
        var aUnites = false
        var aMesures = false
        var aDeposees = false
        var aAmenagements = false
        var aConfirmations = false
        var aAvis = false

        func complete() -> DossierPage {
            var page = self
            page.aUnites = !unites.isEmpty
            page.aMesures = !mesures.isEmpty
            page.aDeposees = !deposees.isEmpty
            page.aAmenagements = !amenagements.isEmpty
            page.aConfirmations = !confirmations.isEmpty
            page.aAvis = !avisDeposes.isEmpty
            return page
        }
    }

    struct LigneUnite {
        var code: String
        var epreuve: String
        var libelle: String
        var coefficient: String
        var situation: String
    }

    struct LignePiece {
        var id: String
        var type: String
        var libelle: String
        var statut: String
        var classe: String
        var obligatoire: Bool
        var nomFichier: String?
        var lien: String?
        var taille: String?
        var deposeeLe: String?
        var motifRefus: String?
        var decidable: Bool
    }

    struct LigneAmenagement {
        var demandeLe: String
        var types: String
        var motif: String
        var etat: String
        var classe: String
        var mesures: String?
        var motivation: String?
    }

    struct LigneConfirmation {
        var version: Int
        var le: String
        var lien: String
    }

    struct LigneHistorique {
        var date: String
        var iso: String
        var action: String
        var par: String
        var details: [String]
        var aDetails: Bool
    }

    /// Forms of the page kept as typed when one is refused.
    struct Saisies {
        // Field names unique on the page: the error summary links to them.
        var piece = Formulaire([Champ("type", "Type de pièce"), Champ("fichierPiece", "Fichier", type: "file", aide: "PDF, JPEG ou PNG, 5 Mio au plus.")])
        var amenagement = Formulaire([
            Champ("types", "Aménagements demandés"),
            Champ("motifAmenagement", "Motif de la demande", aide: "Ce qui justifie la demande, en quelques lignes (2 000 caractères au plus)."),
            Champ("avis", "Avis médical déjà déposé", requis: false),
            Champ("fichierAvis", "Avis médical à déposer", type: "file", aide: "PDF, JPEG ou PNG, 5 Mio au plus. Inutile si vous en avez déjà déposé un.", requis: false),
        ])
        var typesChoisis: Set<String> = []
        var annulation = Formulaire([Champ("motif", "Motif de l'annulation", aide: "Il est conservé dans l'historique de la candidature.")])
    }

    /// The candidature's page: what it says, its units, pièces, aménagements, confirmations,
    /// history, and the actions the caller's role allows.
    func dossier(
        _ id: String, espace: Espace, as caller: InternalIdentity, notice: String? = nil, refus: ReglementationVue.Refus? = nil,
        saisies: Saisies = Saisies()
    ) async throws -> DossierPage {
        let chemin = "/candidatures/\(Affichage.requete(id))"
        let candidature = try await api.lire(InscriptionAPI.Candidature.self, chemin, as: caller)
        async let piecesLues = try? api.lire(InscriptionAPI.Pieces.self, chemin + "/pieces", as: caller)
        async let amenagementsLus = try? api.lire(ServiceClient.Page<InscriptionAPI.Amenagement>.self, chemin + "/amenagements?taille=200", as: caller)
        async let versionsLues = try? api.lire(ServiceClient.Liste<InscriptionAPI.Version>.self, chemin + "/confirmations", as: caller)
        async let evenementsLus = try? api.lire(ServiceClient.Liste<InscriptionAPI.Evenement>.self, chemin + "/historique", as: caller)
        let (pieces, amenagements, versions, evenements) = await (piecesLues, amenagementsLus, versionsLues, evenementsLus)

        let c = candidature
        let d = c.candidat
        let lien = espace.candidature(c.id)
        let (etat, classe) = InscriptionVue.etat(c.etat)
        var faits: [AggregateView.Valeur] = [
            .init(nom: "Numéro candidat", valeur: c.numero),
            .init(nom: "Session", valeur: c.session),
            .init(nom: "Catégorie", valeur: InscriptionVue.categorie(c.categorie)),
            .init(nom: "Établissement", valeur: c.uai.map { uai in c.etablissement.map { "\($0) (\(uai))" } ?? uai } ?? "Aucun (Grand Public)"),
            .init(nom: "Spécialité", valeur: c.specialite),
            .init(nom: "Options", valeur: c.options.isEmpty ? "aucune" : c.options.joined(separator: ", ")),
            .init(nom: "Unité facultative", valeur: c.facultatives.isEmpty ? "aucune" : c.facultatives.joined(separator: ", ")),
            .init(nom: "Forme", valeur: InscriptionVue.forme(c.forme)),
            .init(nom: "Publication du nom avec le résultat", valeur: InscriptionVue.consentement(c.consentementPublication)),
        ]
        if let le = c.creeLe { faits.append(.init(nom: "Créée le", valeur: DateFrancaise.instant(iso: le))) }
        if let le = c.valideeLe { faits.append(.init(nom: "Validée le", valeur: DateFrancaise.instant(iso: le))) }
        if let le = c.annuleeLe { faits.append(.init(nom: "Annulée le", valeur: DateFrancaise.instant(iso: le))) }
        let identite: [AggregateView.Valeur] = [
            .init(nom: "Nom de famille", valeur: d.nomFamille), .init(nom: "Nom d'usage", valeur: d.nomUsage ?? "—"),
            .init(nom: "Prénoms", valeur: d.prenoms), .init(nom: "Sexe", valeur: d.sexe == "F" ? "Féminin" : "Masculin"),
            .init(nom: "Né(e) le", valeur: DateFrancaise.jour(d.dateNaissance)),
            .init(nom: "À", valeur: "\(d.communeNaissance) (\(d.paysNaissance ?? "France"))"), .init(nom: "INE", valeur: d.ine ?? "—"),
            .init(nom: "Adresse", valeur: "\(d.adresse), \(d.codePostal) \(d.commune)"), .init(nom: "Courriel", valeur: d.courriel ?? "—"),
            .init(nom: "Téléphone", valeur: d.telephone ?? "—"),
        ]
        let actif = c.etat != "annulee"

        let deposees = (pieces?.deposees ?? []).map { p -> LignePiece in
            let (statut, classe) = InscriptionVue.statutPiece(p.statut)
            return LignePiece(
                id: p.id, type: p.type, libelle: p.type, statut: statut, classe: classe, obligatoire: false, nomFichier: p.nomFichier,
                lien: "\(espace.prefixe)/pieces/\(Affichage.requete(p.id))", taille: InscriptionVue.taille(p.taille),
                deposeeLe: DateFrancaise.instant(iso: p.deposeeLe), motifRefus: p.motifRefus,
                decidable: espace == .gestionnaire && p.statut == "recue")
        }
        let attendues = (pieces?.attendues ?? []).map { a -> LignePiece in
            let (statut, classe) = InscriptionVue.statutPiece(a.statut)
            return LignePiece(id: a.type, type: a.type, libelle: a.libelle, statut: statut, classe: classe, obligatoire: a.obligatoire, decidable: false)
        }
        var types: [(String, String)] = (pieces?.attendues ?? []).map { ($0.type, $0.libelle) }
        for special in Self.typesPieceSpeciaux where !types.contains(where: { $0.0 == special.0 }) { types.append(special) }
        let typeChoisi = saisies.piece.champs["type"]?.valeur ?? ""
        let avis = (pieces?.deposees ?? []).filter { $0.type == "AVIS_MEDICAL" && $0.statut != "refusee" }
        let avisChoisi = saisies.amenagement.champs["avis"]?.valeur ?? avis.last?.id ?? ""

        var noms: [String: String] = [:]
        var historique: [LigneHistorique] = []
        for evenement in evenements?.items ?? [] {
            if noms[evenement.par] == nil { noms[evenement.par] = await nom(evenement.par) }
            let details = evenement.detail.keys.sorted().map { cle -> String in
                let ecart = evenement.detail[cle]!
                let libelle = InscriptionVue.champs[cle] ?? cle
                switch (ecart.avant, ecart.apres) {
                case let (avant?, apres?): return "\(libelle) : \(avant) → \(apres)"
                case let (nil, apres?): return "\(libelle) : \(apres)"
                case let (avant?, nil): return "\(libelle) : \(avant) → (vide)"
                case (nil, nil): return libelle
                }
            }
            historique.append(LigneHistorique(
                date: DateFrancaise.instant(iso: evenement.le), iso: evenement.le,
                action: InscriptionVue.actions[evenement.action] ?? evenement.action,
                par: "\(noms[evenement.par] ?? evenement.par) (\(Role(rawValue: evenement.role).map(WebRenderer.libelle(of:)) ?? evenement.role))",
                details: details, aDetails: !details.isEmpty))
        }

        let retour: (String, String) = switch espace {
        case .gestionnaire: ("/gestionnaire/sessions/\(Affichage.requete(c.session))/candidatures", "Candidatures de la session \(c.session)")
        case .etablissement: ("/etablissement/inscription/\(Affichage.requete(c.session))", "Candidatures de la session \(c.session)")
        case .candidat: ("/candidat", "Mon dossier")
        }
        return DossierPage(
            espace: espace.prefixe, lien: lien, id: c.id, numero: c.numero, session: c.session, nom: c.nomComplet, etat: etat, etatClasse: classe,
            faits: faits, identite: identite,
            unites: (c.unites ?? []).map {
                LigneUnite(code: $0.code, epreuve: $0.epreuve, libelle: $0.libelle,
                           coefficient: $0.coefficient.map(String.init) ?? ($0.facultative ? "facultative" : "—"),
                           situation: InscriptionVue.situation($0))
            },
            mesures: c.amenagements.map(InscriptionVue.mesure),
            attendues: attendues, deposees: deposees,
            typesPiece: types.map { AccountPages.Option(valeur: $0.0, libelle: "\($0.1) (\($0.0))", choisi: $0.0 == typeChoisi) },
            formulairePiece: saisies.piece.vue,
            amenagements: (amenagements?.items ?? []).map { a in
                let (etat, classe) = InscriptionVue.etatAmenagement(a.etat)
                return LigneAmenagement(
                    demandeLe: DateFrancaise.instant(iso: a.demandeLe), types: a.types.map(InscriptionVue.typeAmenagement).joined(separator: ", "),
                    motif: a.motif, etat: etat, classe: classe,
                    mesures: a.mesures.isEmpty ? nil : a.mesures.map(InscriptionVue.mesure).joined(separator: " ; "), motivation: a.motivation)
            },
            formulaireAmenagement: saisies.amenagement.vue,
            typesAmenagement: InscriptionVue.typesAmenagement.map {
                FormulaireCandidature.Choix(id: "champ-types-\($0.0)", valeur: $0.0, libelle: $0.1, choisi: saisies.typesChoisis.contains($0.0))
            },
            avisDeposes: avis.map { AccountPages.Option(valeur: $0.id, libelle: "\($0.nomFichier) (déposé le \(DateFrancaise.instant(iso: $0.deposeeLe)))", choisi: $0.id == avisChoisi) },
            confirmations: (versions?.items ?? []).sorted { $0.version > $1.version }.map {
                LigneConfirmation(version: $0.version, le: DateFrancaise.instant(iso: $0.genereeLe), lien: "\(lien)/confirmation.pdf?version=\($0.version)")
            },
            historique: historique, annulation: saisies.annulation.vue, notice: notice, refus: refus,
            retour: retour.0, retourLibelle: retour.1,
            peutModifier: actif, peutValider: c.etat == "brouillon", peutAnnuler: actif,
            peutDeposer: actif, peutDemander: actif, peutDecider: espace == .gestionnaire,
            peutPapillon: espace == .etablissement && actif, annulee: !actif, motifAnnulation: c.motifAnnulation
        ).complete()
    }

    /// The display name of an account id (the id itself when unknown).
    func nom(_ sujet: String) async -> String {
        if let id = UUID(uuidString: sujet), let compte = try? await renderer.accounts.find(id: id) { return compte.displayName }
        return sujet
    }

    func renderDossier(
        _ page: DossierPage, request: Request, context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async -> Response {
        let titre = "Candidature n° \(page.numero)"
        return await renderer.render(
            "inscription-dossier", titre: status == .ok ? titre : "Erreur : \(titre.lowercased())", page: page, request: request,
            context: context, status: status)
    }

    // MARK: Routes of the candidature's page

    func addDossier(to web: RouterGroup<ServiceRequestContext>) {
        for espace in Espace.allCases {
            let base = RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id")
            web.get(base) { request, context -> Response in
                let caller = try context.caller()
                let id = try context.parameters.require("id")
                let notice = request.uri.queryParameters.get("fait").flatMap { Self.notices[$0] }
                let page = try await dossier(id, espace: espace, as: caller, notice: notice)
                return await renderDossier(page, request: request, context: context)
            }
            web.get(RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id/confirmation.pdf")) { request, context -> Response in
                let caller = try context.caller()
                let id = try context.parameters.require("id")
                var chemin = "/candidatures/\(Affichage.requete(id))/confirmation"
                if let version = request.uri.queryParameters.get("version", as: Int.self) { chemin += "?version=\(version)" }
                return try await api.telechargement(chemin, as: caller)
            }
            web.get(RouterPath(stringLiteral: "\(espace.rawValue)/pieces/:piece")) { _, context -> Response in
                let caller = try context.caller()
                let piece = try context.parameters.require("piece")
                return try await api.telechargement("/pieces/\(Affichage.requete(piece))/contenu", as: caller)
            }
            web.post(RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id/validation")) { request, context -> Response in
                let caller = try context.caller()
                _ = try await WebForm.read(request)
                let id = try context.parameters.require("id")
                return try await valider(id, espace: espace, caller: caller, request: request, context: context)
            }
            web.post(RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id/annulation")) { request, context -> Response in
                let caller = try context.caller()
                let form = try await WebForm.read(request)
                let id = try context.parameters.require("id")
                var saisies = Saisies()
                saisies.annulation.champs["motif"]?.valeur = form["motif"]
                if form["motif"].isEmpty {
                    saisies.annulation.erreur("motif", "Indiquez le motif de l'annulation.")
                } else {
                    struct Corps: Encodable { var motif: String }
                    let answer = try await api.appel(.post, "/candidatures/\(Affichage.requete(id))/annulation", as: caller, json: Corps(motif: form["motif"]))
                    if answer.status == .ok { return WebRenderer.redirect(espace.candidature(id) + "?fait=annulee") }
                    let refus = api.refus(answer)
                    if refus.status == .forbidden || refus.status == .notFound || refus.status.code >= 500 { throw refus }
                    saisies.annulation.apply(refus)
                }
                let page = try await dossier(id, espace: espace, as: caller, saisies: saisies)
                return await renderDossier(page, request: request, context: context, status: .unprocessableContent)
            }
            web.post(RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id/pieces")) { request, context -> Response in
                let caller = try context.caller()
                let form = try await MultipartForm.read(request, limit: Self.tailleEnvoiPiece)
                let id = try context.parameters.require("id")
                var saisies = Saisies()
                saisies.piece.champs["type"]?.valeur = form.champs["type"]
                if form.champs["type"].isEmpty { saisies.piece.erreur("type", "Choisissez le type de la pièce.") }
                guard let fichier = form.fichiers["fichier"], !fichier.octets.isEmpty else {
                    saisies.piece.erreur("fichierPiece", "Choisissez le fichier à déposer.")
                    let page = try await dossier(id, espace: espace, as: caller, saisies: saisies)
                    return await renderDossier(page, request: request, context: context, status: .unprocessableContent)
                }
                if !saisies.piece.hasErrors {
                    do {
                        _ = try await deposer(fichier, type: form.champs["type"], candidature: id, as: caller)
                        return WebRenderer.redirect(espace.candidature(id) + "?fait=piece#titre-pieces")
                    } catch let refus as ServiceError where refus.status != .forbidden && refus.status != .notFound && refus.status.code < 500 {
                        if refus.details.contains(where: { $0.location == "type" }) {
                            saisies.piece.erreur("type", refus.message)
                        } else {
                            saisies.piece.erreur("fichierPiece", refus.message)
                        }
                    }
                }
                let page = try await dossier(id, espace: espace, as: caller, saisies: saisies)
                return await renderDossier(page, request: request, context: context, status: .unprocessableContent)
            }
            web.post(RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id/amenagements")) { request, context -> Response in
                let caller = try context.caller()
                let form = try await MultipartForm.read(request, limit: Self.tailleEnvoiPiece)
                let id = try context.parameters.require("id")
                return try await demanderAmenagement(id, form, espace: espace, caller: caller, request: request, context: context)
            }
            web.get(RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id/modification")) { request, context -> Response in
                let caller = try context.caller()
                let id = try context.parameters.require("id")
                let candidature = try await api.lire(InscriptionAPI.Candidature.self, "/candidatures/\(Affichage.requete(id))", as: caller)
                return try await modification(candidature, FormulaireCandidature(candidature: candidature), espace: espace, caller: caller,
                                              request: request, context: context)
            }
            web.post(RouterPath(stringLiteral: "\(espace.rawValue)/candidatures/:id/modification")) { request, context -> Response in
                let caller = try context.caller()
                let form = try await WebForm.read(request)
                let id = try context.parameters.require("id")
                let candidature = try await api.lire(InscriptionAPI.Candidature.self, "/candidatures/\(Affichage.requete(id))", as: caller)
                var saisie = FormulaireCandidature(form: form)
                if espace == .candidat { saisie.definir("categorie", candidature.categorie) }
                saisie.verifierChoix(categorie: espace != .candidat)
                if !saisie.formulaire.hasErrors {
                    let answer = try await api.appel(.put, "/candidatures/\(Affichage.requete(id))", as: caller,
                                                     json: saisie.saisie(categorie: espace == .candidat ? candidature.categorie : nil))
                    if answer.status == .ok { return WebRenderer.redirect(espace.candidature(id) + "?fait=modifiee") }
                    let refus = api.refus(answer)
                    if refus.status.code >= 500 || refus.status == .notFound { throw refus }
                    saisie.appliquer(refus)
                }
                return try await modification(candidature, saisie, espace: espace, caller: caller, request: request, context: context,
                                              status: .unprocessableContent)
            }
        }
        web.post("gestionnaire/pieces/:piece/decision") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            let piece = try context.parameters.require("piece")
            let candidature = form["candidature"]
            struct Corps: Encodable { var statut: String; var motif: String? }
            let answer = try await api.appel(.post, "/pieces/\(Affichage.requete(piece))/decision", as: caller,
                                             json: Corps(statut: form["statut"], motif: form["motif"].isEmpty ? nil : form["motif"]))
            if answer.status == .ok { return WebRenderer.redirect(Espace.gestionnaire.candidature(candidature) + "?fait=decision-piece#titre-pieces") }
            let refus = api.refus(answer)
            if refus.status == .forbidden || refus.status.code >= 500 || candidature.isEmpty { throw refus }
            let page = try await dossier(candidature, espace: .gestionnaire, as: caller,
                                         refus: Self.refusValidation(refus, titre: "La décision sur la pièce n'a pas été enregistrée."))
            return await renderDossier(page, request: request, context: context, status: refus.status)
        }
    }

    /// Validates (signs) a candidature; its refusal, rule by rule, on the candidature's page.
    func valider(_ id: String, espace: Espace, caller: InternalIdentity, request: Request, context: ServiceRequestContext,
                 succes: String? = nil) async throws -> Response {
        let answer = try await api.appel(.post, "/candidatures/\(Affichage.requete(id))/validation", as: caller)
        if answer.status == .ok { return WebRenderer.redirect(succes ?? espace.candidature(id) + "?fait=validee") }
        let refus = api.refus(answer)
        if refus.status == .forbidden || refus.status == .notFound || refus.status.code >= 500 { throw refus }
        let page = try await dossier(id, espace: espace, as: caller, refus: Self.refusValidation(refus))
        return await renderDossier(page, request: request, context: context, status: refus.status)
    }

    /// A refusal of the service as a notice: its message, then each detail with its field named.
    static func refusValidation(_ refus: ServiceError, titre: String = "La candidature n'a pas été validée.") -> ReglementationVue.Refus {
        let details = refus.details.map { detail -> ReglementationVue.Detail in
            let racine = detail.location.split(separator: "[").first.map(String.init) ?? detail.location
            let libelle = InscriptionVue.champs[detail.location] ?? InscriptionVue.champs[racine]
            return .init(location: detail.location, code: detail.code, message: libelle.map { "\($0) : \(detail.message)" } ?? detail.message)
        }
        // A single detail usually repeats the message: shown once.
        let seul = refus.details.count == 1 && refus.details[0].message == refus.message
        return .init(titre: titre, message: refus.message, details: seul ? [] : details)
    }

    /// Uploads a pièce (raw bytes, the type and the file name in the query).
    func deposer(_ fichier: MultipartForm.Fichier, type: String, candidature id: String, as caller: InternalIdentity) async throws -> String {
        struct Piece: Decodable { var id: String }
        let piece = try await api.lire(
            Piece.self, "/candidatures/\(Affichage.requete(id))/pieces?type=\(Affichage.requete(type))&nom=\(Affichage.requete(fichier.nom))",
            as: caller, method: .post, contentType: "application/octet-stream", body: ByteBuffer(bytes: fichier.octets))
        return piece.id
    }

    private func demanderAmenagement(
        _ id: String, _ form: MultipartForm, espace: Espace, caller: InternalIdentity, request: Request, context: ServiceRequestContext
    ) async throws -> Response {
        var saisies = Saisies()
        let types = form.champs.all("types")
        saisies.typesChoisis = Set(types)
        saisies.amenagement.champs["motifAmenagement"]?.valeur = form.champs["motif"]
        saisies.amenagement.champs["avis"]?.valeur = form.champs["avis"]
        if types.isEmpty { saisies.amenagement.erreur("types", "Cochez au moins un aménagement demandé.") }
        if form.champs["motif"].isEmpty { saisies.amenagement.erreur("motifAmenagement", "Indiquez le motif de la demande.") }
        let fichier = form.fichiers["fichier"].flatMap { $0.octets.isEmpty ? nil : $0 }
        if fichier == nil && form.champs["avis"].isEmpty {
            saisies.amenagement.erreur("fichierAvis", "Joignez l'avis médical : la demande ne peut pas être instruite sans lui.")
        }
        var avis = form.champs["avis"]
        if !saisies.amenagement.hasErrors, let fichier {
            // The medical opinion first: the request names it.
            do {
                avis = try await deposer(fichier, type: "AVIS_MEDICAL", candidature: id, as: caller)
                saisies.amenagement.champs["avis"]?.valeur = avis
            } catch let refus as ServiceError where refus.status.code < 500 && refus.status != .forbidden && refus.status != .notFound {
                saisies.amenagement.erreur("fichierAvis", refus.message)
            }
        }
        if !saisies.amenagement.hasErrors {
            struct Corps: Encodable { var types: [String]; var motif: String; var avis: String }
            let answer = try await api.appel(.post, "/candidatures/\(Affichage.requete(id))/amenagements", as: caller,
                                             json: Corps(types: types, motif: form.champs["motif"], avis: avis))
            if answer.status == .created { return WebRenderer.redirect(espace.candidature(id) + "?fait=amenagement#titre-amenagements") }
            let refus = api.refus(answer)
            if refus.status == .forbidden || refus.status == .notFound || refus.status.code >= 500 { throw refus }
            saisies.amenagement.apply(refus) { $0.hasPrefix("types") ? "types" : $0 == "motif" ? "motifAmenagement" : $0 }
        }
        let page = try await dossier(id, espace: espace, as: caller, saisies: saisies)
        return await renderDossier(page, request: request, context: context, status: .unprocessableContent)
    }

    struct ModificationPage {
        var titre: String
        var numero: String
        var lien: String
        var formulaireCandidature: FormulaireCandidature.Vue
    }

    private func modification(
        _ candidature: InscriptionAPI.Candidature, _ saisie: FormulaireCandidature, espace: Espace, caller: InternalIdentity,
        request: Request, context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let offre = try? await api.lire(InscriptionAPI.Offre.self, "/sessions/\(Affichage.requete(candidature.session))/offre", as: caller)
        let lien = espace.candidature(candidature.id)
        var uais: [(String, String)]?
        var categories = ["apprenti", "fpc", "enseignement_distance"]
        switch espace {
        case .etablissement: uais = Self.uais(of: caller, offre: offre)
        case .gestionnaire:
            uais = [("", "Aucun (Grand Public)")] + (offre?.centres ?? []).map { ($0.uai, "\($0.uai) — \($0.nom) (\($0.commune))") }
            categories.append("individuel")
        case .candidat: uais = nil
        }
        let vue = saisie.vue(action: "\(lien)/modification", bouton: "Enregistrer les modifications", offre: offre, uais: uais,
                             categories: categories, retour: lien, retourLibelle: "Annuler")
        let titre = "Modifier la candidature n° \(candidature.numero)"
        return await renderer.render(
            "inscription-modification", titre: status == .ok ? titre : "Erreur : \(titre.lowercased())",
            page: ModificationPage(titre: titre, numero: candidature.numero, lien: lien, formulaireCandidature: vue),
            request: request, context: context, status: status)
    }

    /// The UAIs of an établissement's habilitation, named from the session's centres d'inscription.
    static func uais(of caller: InternalIdentity, offre: InscriptionAPI.Offre?) -> [(String, String)] {
        RolePages.scopes("uai", of: caller).map { uai in
            guard let centre = offre?.centres.first(where: { $0.uai == uai }) else { return (uai, uai) }
            return (uai, "\(uai) — \(centre.nom) (\(centre.commune))")
        }
    }

    // MARK: Sessions

    /// A session code of the path, or a 404 page.
    static func session(_ context: ServiceRequestContext) throws -> String {
        let texte = try context.parameters.require("code")
        guard let code = InscriptionVue.session(texte) else { throw ServiceError.notFound("Aucune session n'a le code « \(texte) ».") }
        return code
    }

    /// The registration offer of a session, or a 404 page when the service does not know it.
    func offre(_ session: String, as caller: InternalIdentity) async throws -> InscriptionAPI.Offre {
        try await api.lire(InscriptionAPI.Offre.self, "/sessions/\(Affichage.requete(session))/offre", as: caller)
    }
}
