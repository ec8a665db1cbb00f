import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The organisation pages: the gestionnaire's regroupements and assignment screen with a capacity
/// view per centre and the global check, the centre's seating and exam-day papers (gestionnaire,
/// or the centre's établissement for what was delegated to it), the candidate's convocations.
/// Everything goes through the organisation service, as the user: its rules and French refusals
/// apply as they are.
///
/// | page | who |
/// |---|---|
/// | `/gestionnaire/organisation` | gestionnaire |
/// | `/gestionnaire/sessions/{code}/organisation` (GET; POST `…/regroupements`, `…/affectation`, `…/regroupements/{id}/centre`, `…/anonymats`, `…/convocations`, `…/terminaison`) | gestionnaire |
/// | `/gestionnaire/sessions/{code}/organisation/centres/{uai}` (GET; POST `…/placement`) | gestionnaire |
/// | `/etablissement/centre?session=…`, `/etablissement/centre/{code}/{uai}` (GET; POST `…/placement`) | établissement (its own UAI) |
/// | `/candidat/convocations`, `/candidat/convocations/{id}.pdf` | candidat |
struct OrganisationPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    var organisation: ServiceClient { ServiceClient(directory: directory, service: "organisation", timeout: .seconds(30)) }
    var inscription: ServiceClient { ServiceClient(directory: directory, service: "inscription", timeout: .seconds(15)) }

    /// The menu entries of the organisation pages, by role.
    static func menu(for role: Role?) -> [(String, String)] {
        switch role {
        case .gestionnaire: [("Organisation", "/gestionnaire/organisation")]
        case .etablissement: [("Centre d'épreuve", "/etablissement/centre")]
        case .candidat: [("Mes convocations", "/candidat/convocations")]
        default: []
        }
    }

    // MARK: What the services answer

    struct Salle: Decodable { var nom: String; var places: Int }

    struct VueCentre: Decodable {
        struct Seance: Decodable { var debut: String; var inscrits: Int; var sallesSeparees: Int; var tempsMajore: Int; var tient: Bool; var raison: String? }
        var uai: String
        var nom: String
        var commune: String
        var salles: [Salle]
        var capacite: Int
        var chargeMax: Int
        var seances: [Seance]
    }

    struct Regroupement: Decodable {
        var id: String
        var libelle: String
        var specialites: [String]
        var uais: [String]
        var departements: [String]
        var categories: [String]
        var unites: [String]
        var centres: [String]
        var epreuves: Int?
        var placees: Int?
        var candidats: Int?
    }

    struct Controle: Decodable {
        struct NonPlacee: Decodable { var numeroCandidat: String; var nom: String; var specialite: String; var unite: String; var raison: String }
        struct Seance: Decodable { var centre: String; var nom: String; var debut: String; var inscrits: Int; var capacite: Int; var raison: String }
        var epreuvesCandidats: Int
        var placees: Int
        var nonPlacees: Int
        var sansSalle: Int
        var sansDate: Int
        var ccfNonPlacees: Int
        var detailNonPlacees: [NonPlacee]
        var centresEnSurcapacite: [Seance]
        var complete: Bool
    }

    struct Rapport: Decodable {
        struct NonPlace: Decodable { var numeroCandidat: String; var nom: String; var unites: [String]; var motif: String }
        var candidats: Int
        var candidatsPlaces: Int
        var epreuvesPlacees: Int
        var groupesScindes: Int
        var nonPlaces: [NonPlace]
        var millisecondes: Int
    }

    struct Delegation: Decodable { var centre: String; var specialite: String; var unite: String; var date: Bool }

    struct EpreuveCandidat: Decodable {
        var candidature: String
        var numeroCandidat: String
        var nom: String
        var prenoms: String
        var specialite: String
        var unite: String
        var salle: String?
        var place: Int?
        var debut: String?
        var dureeMinutes: Int?
    }

    // MARK: Pages' data

    struct LigneSeance { var debut: String; var inscrits: Int; var details: String; var etat: String; var classe: String }

    struct LigneCentre {
        var uai: String
        var nom: String
        var commune: String
        var salles: String
        var capacite: Int
        var chargeMax: Int
        var taux: String
        var classe: String
        var lien: String
        var seances: [LigneSeance]
    }

    struct LigneRegroupement {
        var id: String
        var libelle: String
        var criteres: String
        var epreuves: Int
        var placees: Int
        var candidats: Int
        var action: String
        var actionCentre: String
    }

    struct TableauPage {
        var session: String
        var base: String
        var succes: String?
        var refus: String?
        var erreurs: [String]
        var controle: Controle?
        var etatControle: String
        var classeControle: String
        var centres: [LigneCentre]
        var regroupements: [LigneRegroupement]
        var nonPlacees: [Controle.NonPlacee]
        var surcapacite: [Controle.Seance]
        var rapport: [Rapport.NonPlace]
        var saisie: [String: String]
        var uais: [String]
        // Stored, not computed: the templates read values by reflection.
        var avecErreurs = false
        var avecRapport = false
        var avecSurcapacite = false
        var avecNonPlacees = false
    }

    struct LigneSession { var code: String; var libelle: String; var lien: String }

    struct SessionsPage { var sessions: [LigneSession]; var intro: String; var vide: Bool }

    struct Document { var libelle: String; var lien: String }

    struct UniteCentre {
        var specialite: String
        var unite: String
        var debut: String
        var inscrits: Int
        var assis: Int
        var deleguee: String
        var placement: String?
        var documents: [Document]
        var candidats: [EpreuveCandidat]
    }

    struct CentrePage {
        var session: String
        var uai: String
        var nom: String
        var capacite: Int
        var salles: String
        var succes: String?
        var refus: String?
        var unites: [UniteCentre]
        var retour: String
        var convocations: String
        var vide: Bool
    }

    struct LigneConvocation { var session: String; var numero: String; var specialite: String; var lien: String?; var etat: String }

    struct ConvocationsPage { var lignes: [LigneConvocation]; var vide: Bool }

    // MARK: Routes

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("gestionnaire/organisation") { request, context -> Response in
            let sessions = await ServiceClient.sessionsOuvertes(directory)
            let page = SessionsPage(
                sessions: sessions.map { LigneSession(code: $0.code, libelle: $0.libelle, lien: "/gestionnaire/sessions/\(Affichage.requete($0.code))/organisation") },
                intro: "Choisissez la session dont organiser les épreuves : regroupements, affectation aux centres, numéros d'anonymat, convocations.",
                vide: sessions.isEmpty)
            return await renderer.render("organisation-sessions", titre: "Organisation des épreuves", page: page, request: request, context: context)
        }

        web.get("gestionnaire/sessions/:code/organisation") { request, context -> Response in
            let caller = try context.caller()
            return try await tableau(try context.parameters.require("code"), caller, request, context)
        }

        web.post("gestionnaire/sessions/:code/organisation/regroupements") { request, context -> Response in
            let caller = try context.caller()
            let code = try context.parameters.require("code")
            let form = try await WebForm.read(request)
            func liste(_ champ: String) -> [String] {
                form[champ].split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
            }
            struct Corps: Encodable { var libelle: String; var specialites, uais, departements, categories, unites, centres: [String] }
            let corps = Corps(
                libelle: form["libelle"], specialites: liste("specialites"), uais: liste("uais"), departements: liste("departements"),
                categories: liste("categories"), unites: liste("unites"), centres: liste("centres"))
            let answer = try await organisation.appel(.post, "/sessions/\(Affichage.requete(code))/regroupements", as: caller, json: corps)
            if answer.status == .created {
                return try await tableau(code, caller, request, context, succes: "Regroupement « \(form["libelle"]) » créé.")
            }
            let refus = organisation.refus(answer)
            return try await tableau(code, caller, request, context, refus: refus.message,
                                     erreurs: refus.details.map { "\(Self.champ($0.location)) : \($0.message)" },
                                     saisie: form.values, status: .unprocessableContent)
        }

        web.post("gestionnaire/sessions/:code/organisation/affectation") { request, context -> Response in
            let caller = try context.caller()
            let code = try context.parameters.require("code")
            let form = try await WebForm.read(request)
            let regroupement = form["regroupement"]
            let chemin = regroupement.isEmpty ? "/sessions/\(Affichage.requete(code))/affectation-automatique"
                : "/regroupements/\(Affichage.requete(regroupement))/affectation-automatique"
            let calcul = ServiceClient(directory: directory, service: "organisation", timeout: .seconds(300))
            let answer = try await calcul.appel(.post, chemin, as: caller, json: ["reprendre": form["reprendre"] == "oui"])
            guard answer.status == .ok, let rapport = try? calcul.decode(Rapport.self, answer) else {
                return try await tableau(code, caller, request, context, refus: calcul.refus(answer).message)
            }
            let succes = "Affectation automatique : \(rapport.candidatsPlaces) candidat(s) placé(s) sur \(rapport.candidats) (\(rapport.epreuvesPlacees) épreuves), \(rapport.nonPlaces.count) non placé(s), \(rapport.groupesScindes) établissement(s) réparti(s) sur plusieurs centres, en \(rapport.millisecondes) ms."
            return try await tableau(code, caller, request, context, succes: succes, rapport: rapport.nonPlaces)
        }

        web.post("gestionnaire/sessions/:code/organisation/regroupements/:id/centre") { request, context -> Response in
            let caller = try context.caller()
            let code = try context.parameters.require("code")
            let id = try context.parameters.require("id")
            let form = try await WebForm.read(request)
            let answer = try await organisation.appel(.post, "/regroupements/\(Affichage.requete(id))/affectation", as: caller, json: ["centre": form["centre"]])
            if answer.status == .ok { return try await tableau(code, caller, request, context, succes: "Regroupement affecté au centre \(form["centre"]).") }
            return try await tableau(code, caller, request, context, refus: organisation.refus(answer).message, status: .unprocessableContent)
        }

        for (action, libelle) in [("anonymats", "Numéros d'anonymat attribués."), ("convocations", "Convocations générées."),
                                  ("terminaison", "Organisation déclarée terminée : l'événement est transmis.")] {
            web.post("gestionnaire/sessions/:code/organisation/\(action)") { request, context -> Response in
                let caller = try context.caller()
                let code = try context.parameters.require("code")
                _ = try await WebForm.read(request)
                let lot = ServiceClient(directory: directory, service: "organisation", timeout: .seconds(120))
                let answer = try await lot.appel(.post, "/sessions/\(Affichage.requete(code))/\(action)", as: caller)
                if answer.status == .ok { return try await tableau(code, caller, request, context, succes: libelle) }
                let refus = lot.refus(answer)
                return try await tableau(code, caller, request, context, refus: refus.message,
                                         erreurs: refus.details.prefix(20).map { "\($0.location) : \($0.message)" }, status: .unprocessableContent)
            }
        }

        web.get("gestionnaire/sessions/:code/organisation/centres/:uai") { request, context -> Response in
            let caller = try context.caller()
            return try await centre(try context.parameters.require("code"), try context.parameters.require("uai"), caller, request, context)
        }

        web.post("gestionnaire/sessions/:code/organisation/centres/:uai/placement") { request, context -> Response in
            let caller = try context.caller()
            return try await placer(try context.parameters.require("code"), try context.parameters.require("uai"), caller, request, context)
        }

        web.get("etablissement/centre") { request, context -> Response in
            let caller = try context.caller()
            let sessions = await ServiceClient.sessionsOuvertes(directory)
            let uais = caller.scopes.filter { $0.hasPrefix("uai:") }.map { String($0.dropFirst(4)) }.sorted()
            let page = SessionsPage(
                sessions: sessions.flatMap { s in uais.map { uai in
                    LigneSession(code: s.code, libelle: "\(s.libelle) — centre \(uai)", lien: "/etablissement/centre/\(Affichage.requete(s.code))/\(Affichage.requete(uai))")
                } },
                intro: "Votre établissement comme centre d'épreuve : séances, placement en salle des unités qui vous sont déléguées, papiers des jours d'examen.",
                vide: sessions.isEmpty || uais.isEmpty)
            return await renderer.render("organisation-sessions", titre: "Centre d'épreuve", page: page, request: request, context: context)
        }

        web.get("etablissement/centre/:code/:uai") { request, context -> Response in
            let caller = try context.caller()
            let uai = try context.parameters.require("uai")
            guard caller.hasScope("uai", uai) else { throw ServiceError.forbidden("Accès refusé : le centre \(uai) n'est pas de votre ressort.") }
            return try await centre(try context.parameters.require("code"), uai, caller, request, context)
        }

        web.post("etablissement/centre/:code/:uai/placement") { request, context -> Response in
            let caller = try context.caller()
            let uai = try context.parameters.require("uai")
            guard caller.hasScope("uai", uai) else { throw ServiceError.forbidden("Accès refusé : le centre \(uai) n'est pas de votre ressort.") }
            return try await placer(try context.parameters.require("code"), uai, caller, request, context)
        }

        web.get("candidat/convocations") { request, context -> Response in
            let caller = try context.caller()
            var lignes: [LigneConvocation] = []
            for session in await ServiceClient.sessionsOuvertes(directory) {
                struct Candidature: Decodable { var id: String; var numero: String; var specialite: String; var etat: String }
                guard let page = try? await inscription.lire(ServiceClient.Page<Candidature>.self, "/sessions/\(Affichage.requete(session.code))/candidatures?taille=20", as: caller)
                else { continue }
                for c in page.items where c.etat == "validee" || c.etat == "modifiee" {
                    let versions = try? await organisation.lire(ServiceClient.Liste<Version>.self, "/candidatures/\(Affichage.requete(c.id))/convocations",
                                                                as: Self.avecNumero(caller, c.numero))
                    let derniere = versions?.items.first
                    lignes.append(LigneConvocation(
                        session: session.code, numero: c.numero, specialite: c.specialite,
                        lien: derniere == nil ? nil : "/candidat/convocations/\(Affichage.requete(c.id)).pdf",
                        etat: derniere.map { v in "version \(v.version)" + (v.changement.map { " — modifiée : \($0)" } ?? "") }
                            ?? "pas encore disponible : elle est publiée quand toutes vos épreuves sont placées"))
                }
            }
            return await renderer.render("organisation-convocations", titre: "Mes convocations", page: ConvocationsPage(lignes: lignes, vide: lignes.isEmpty),
                                         request: request, context: context)
        }

        web.get("candidat/convocations/:fichier") { _, context -> Response in
            let caller = try context.caller()
            let id = try context.parameters.require("fichier").replacingOccurrences(of: ".pdf", with: "")
            // Inscription says whose candidature it is (it answers only to its candidate).
            struct Candidature: Decodable { var numero: String }
            let candidature = try await inscription.lire(Candidature.self, "/candidatures/\(Affichage.requete(id))", as: caller)
            let answer = try await organisation.appel(.get, "/candidatures/\(Affichage.requete(id))/convocation", as: Self.avecNumero(caller, candidature.numero))
            guard answer.status == .ok else { throw organisation.refus(answer) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/pdf", .contentDisposition: answer.contentDisposition ?? "inline; filename=\"convocation.pdf\"",
                          .cacheControl: "private, no-store"],
                body: .init(byteBuffer: answer.body))
        }
    }

    struct Version: Decodable { var version: Int; var changement: String? }

    /// The candidate as the gateway vouches for him once inscription confirmed the candidature is
    /// his: with his numéro candidat, which organisation's rule reads.
    static func avecNumero(_ caller: InternalIdentity, _ numero: String) -> InternalIdentity {
        var identite = caller
        identite.scopes.insert("candidat:\(numero)")
        return identite
    }

    // MARK: Gestionnaire's screen

    private func tableau(
        _ code: String, _ caller: InternalIdentity, _ request: Request, _ context: ServiceRequestContext,
        succes: String? = nil, refus: String? = nil, erreurs: [String] = [], rapport: [Rapport.NonPlace] = [], saisie: [String: String] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session = Affichage.requete(code)
        async let vues = organisation.lire(ServiceClient.Liste<VueCentre>.self, "/sessions/\(session)/centres", as: caller)
        async let regroupements = organisation.lire(ServiceClient.Liste<Regroupement>.self, "/sessions/\(session)/regroupements", as: caller)
        async let controle = organisation.lire(Controle.self, "/sessions/\(session)/verification", as: caller)
        let base = "/gestionnaire/sessions/\(session)/organisation"
        let centres = try await vues.items
        let verification = try await controle
        let page = TableauPage(
            session: code, base: base, succes: succes, refus: refus, erreurs: erreurs, controle: verification,
            etatControle: verification.complete ? "complète" : "incomplète",
            classeControle: verification.complete ? "etat etat--ok" : "etat etat--alerte",
            centres: centres.map { c in
                let taux = c.capacite == 0 ? 0 : c.chargeMax * 100 / c.capacite
                let plein = c.seances.contains { !$0.tient }
                return LigneCentre(
                    uai: c.uai, nom: c.nom, commune: c.commune, salles: c.salles.map { "\($0.nom) (\($0.places))" }.joined(separator: ", "),
                    capacite: c.capacite, chargeMax: c.chargeMax, taux: "\(taux) %",
                    classe: plein ? "etat etat--refus" : taux >= 90 ? "etat etat--attente" : "etat etat--ok",
                    lien: "\(base)/centres/\(Affichage.requete(c.uai))",
                    seances: c.seances.map { s in
                        LigneSeance(debut: Self.seance(s.debut), inscrits: s.inscrits,
                                    details: "\(s.sallesSeparees) salle(s) séparée(s), \(s.tempsMajore) temps majoré",
                                    etat: s.tient ? "tient" : "surcapacité : \(s.raison ?? "")", classe: s.tient ? "etat etat--ok" : "etat etat--refus")
                    })
            },
            regroupements: try await regroupements.items.map { r in
                var criteres: [String] = []
                if !r.specialites.isEmpty { criteres.append("spécialités \(r.specialites.joined(separator: ", "))") }
                if !r.uais.isEmpty { criteres.append("établissements \(r.uais.joined(separator: ", "))") }
                if !r.departements.isEmpty { criteres.append("départements \(r.departements.joined(separator: ", "))") }
                if !r.categories.isEmpty { criteres.append("catégories \(r.categories.joined(separator: ", "))") }
                if !r.unites.isEmpty { criteres.append("unités \(r.unites.joined(separator: ", "))") }
                if !r.centres.isEmpty { criteres.append("centres \(r.centres.joined(separator: ", "))") }
                return LigneRegroupement(
                    id: r.id, libelle: r.libelle, criteres: criteres.isEmpty ? "toute la session" : criteres.joined(separator: " ; "),
                    epreuves: r.epreuves ?? 0, placees: r.placees ?? 0, candidats: r.candidats ?? 0,
                    action: "\(base)/affectation", actionCentre: "\(base)/regroupements/\(Affichage.requete(r.id))/centre")
            },
            nonPlacees: verification.detailNonPlacees, surcapacite: verification.centresEnSurcapacite, rapport: rapport,
            saisie: saisie, uais: centres.map(\.uai),
            avecErreurs: !erreurs.isEmpty, avecRapport: !rapport.isEmpty, avecSurcapacite: !verification.centresEnSurcapacite.isEmpty,
            avecNonPlacees: !verification.detailNonPlacees.isEmpty)
        return await renderer.render("organisation-tableau", titre: "Organisation — \(code)", page: page, request: request, context: context, status: status)
    }

    // MARK: A centre's sittings, seating and papers

    private func centre(
        _ code: String, _ uai: String, _ caller: InternalIdentity, _ request: Request, _ context: ServiceRequestContext,
        succes: String? = nil, refus: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session = Affichage.requete(code), centre = Affichage.requete(uai)
        let vue = try await organisation.lire(ServiceClient.Liste<VueCentre>.self, "/sessions/\(session)/centres", as: caller).items.first { $0.uai == uai }
        let delegations = try await organisation.lire(ServiceClient.Liste<Delegation>.self, "/sessions/\(session)/delegations?centre=\(centre)", as: caller).items
        let affectees = try await organisation.lire(
            ServiceClient.Page<EpreuveCandidat>.self, "/sessions/\(session)/affectations?centre=\(centre)&mode=ponctuel&taille=200", as: caller)
        let gestionnaire = caller.role == .gestionnaire
        let base = gestionnaire ? "/gestionnaire/sessions/\(session)/organisation/centres/\(centre)" : "/etablissement/centre/\(session)/\(centre)"
        let api = "/api/v1/organisation/sessions/\(session)/centres/\(centre)/documents"
        let parUnite = Dictionary(grouping: affectees.items) { "\($0.specialite)|\($0.unite)" }.sorted { a, b in
            (a.value.first?.debut ?? "", a.key) < (b.value.first?.debut ?? "", b.key)
        }
        let unites = parUnite.map { cle, lignes -> UniteCentre in
            let specialite = lignes[0].specialite, unite = lignes[0].unite
            let delegation = delegations.first { $0.specialite == specialite && $0.unite == unite }
            let filtre = "?specialite=\(Affichage.requete(specialite))&unite=\(Affichage.requete(unite))"
            var documents = [("Émargement", "emargement"), ("Appel", "appel"), ("Affichage", "affichage"), ("PV de séance", "pv"),
                             ("Bordereau de sujets", "sujets"), ("Étiquettes de table", "etiquettes-tables")]
            if gestionnaire { documents.append(("Étiquettes de copie", "etiquettes-copies")) }
            return UniteCentre(
                specialite: specialite, unite: unite, debut: lignes[0].debut.map(Self.seance) ?? "date à fixer", inscrits: lignes.count,
                assis: lignes.filter { $0.salle != nil }.count,
                deleguee: delegation == nil ? (gestionnaire ? "non déléguée" : "non déléguée : la division des examens place les candidats")
                    : "déléguée au centre\(delegation!.date ? " (avec la date)" : "")",
                placement: gestionnaire || delegation != nil ? "\(base)/placement" : nil,
                documents: documents.map { Document(libelle: $0.0, lien: "\(api)/\($0.1)\(filtre)") },
                candidats: lignes.sorted { ($0.salle ?? "~", $0.place ?? Int.max, $0.nom) < ($1.salle ?? "~", $1.place ?? Int.max, $1.nom) })
        }
        let page = CentrePage(
            session: code, uai: uai, nom: vue?.nom ?? uai, capacite: vue?.capacite ?? 0,
            salles: vue?.salles.map { "\($0.nom) (\($0.places) places)" }.joined(separator: ", ") ?? "—", succes: succes, refus: refus,
            unites: unites, retour: gestionnaire ? "/gestionnaire/sessions/\(session)/organisation" : "/etablissement/centre",
            convocations: "/api/v1/organisation/sessions/\(session)/convocations.pdf?uai=\(centre)", vide: unites.isEmpty)
        return await renderer.render("organisation-centre", titre: "Centre \(page.nom) — \(code)", page: page, request: request, context: context, status: status)
    }

    private func placer(_ code: String, _ uai: String, _ caller: InternalIdentity, _ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let form = try await WebForm.read(request)
        let answer = try await organisation.appel(
            .post, "/sessions/\(Affichage.requete(code))/centres/\(Affichage.requete(uai))/placement", as: caller,
            json: ["specialite": form["specialite"], "unite": form["unite"], "ordre": form["ordre"].isEmpty ? "alphabetique" : form["ordre"]])
        if answer.status == .ok {
            return try await centre(code, uai, caller, request, context, succes: "Candidats de l'unité \(form["unite"]) placés en salle, tables numérotées.")
        }
        return try await centre(code, uai, caller, request, context, refus: organisation.refus(answer).message, status: .unprocessableContent)
    }

    // MARK: Helpers

    /// `2027-06-09T09:00` → `09/06/2027 à 09:00`; an undated sitting says so.
    static func seance(_ cle: String) -> String {
        DateFrancaise.seance(cle) ?? "date non fixée (\(cle))"
    }

    /// A field of the service's details, in the words of the form.
    static func champ(_ location: String) -> String {
        let base = location.split(separator: "[").first.map(String.init) ?? location
        return ["libelle": "Libellé", "specialites": "Spécialités", "uais": "Établissements", "departements": "Départements",
                "categories": "Catégories", "unites": "Unités", "centres": "Centres"][base] ?? location
    }
}
