import Domain
import Foundation
import Hummingbird
import ServiceKit

/// The gestionnaire's screens: the dashboard (sessions from the réglementation service), the
/// list of sessions, and a session's dashboard gathered from every step's service.
struct GestionnairePages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    /// A session as the réglementation service lists it (only what the pages show).
    struct SessionResume: Decodable {
        var code: String
        var libelle: String
        var academie: String
        var nature: String
        var etat: String
        var debutEpreuves: String?
        var finEpreuves: String?
        var services: [ServiceEtape]?
    }

    struct ServiceEtape: Decodable {
        var service: String
        var libelle: String
        var etat: String
        var ouverturePrevue: String?
        var fermeturePrevue: String?
    }

    struct SessionsAnswer: Decodable {
        var items: [SessionResume]
        var total: Int
    }

    struct LigneSession {
        var code: String
        var lien: String
        var libelle: String
        var nature: String
        var academie: String
        var epreuves: String?
        var etat: String
        var ouverte: Bool
    }

    struct SessionsPage {
        var sessions: [LigneSession]
        var total: Int?
        var indisponible: String?
        var pagination: Pagination?
    }

    struct SessionPage {
        var code: String
        var libelle: String?
        var resume: [AggregateView.Valeur]
        var services: [LigneService]
        var parties: AggregateView
        /// The timeline and a refused opening or closing (`ReglementationPages`).
        var historique: ReglementationVue.Historique?
        var refus: ReglementationVue.Refus?
        /// The gestionnaire (not the admin) reaches the session's registration screens.
        var pilote = false
    }

    struct LigneService {
        var libelle: String
        var etat: String
        var classe: String
        var ouverture: String?
        var fermeture: String?
        /// The contract's name of the step, and which button its state allows.
        var service: String
        var ouvrir: String?
        var fermable: Bool
    }

    static let parts: [(name: String, label: String)] = [
        ("session", "Session et services d'étape"), ("inscriptions", "Inscriptions"), ("organisation", "Organisation"),
        ("notes", "Collecte des notes"), ("deliberation", "Délibération"), ("publication", "Publication"),
    ]

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("gestionnaire") { request, context -> Response in
            let caller = try context.caller()
            let page = await sessions(page: 1, taille: 20, as: caller)
            return await renderer.render("gestionnaire", titre: "Tableau de bord", page: page, request: request, context: context)
        }
        web.get("gestionnaire/sessions") { request, context -> Response in
            let caller = try context.caller()
            let numero = Pagination.numero(request)
            var page = await sessions(page: numero, taille: 50, as: caller)
            if let total = page.total {
                page.pagination = Pagination(page: numero, taille: 50, total: total, base: "/gestionnaire/sessions?")
            }
            return await renderer.render("sessions", titre: "Sessions", page: page, request: request, context: context)
        }
        web.get("gestionnaire/sessions/:code") { request, context -> Response in
            let caller = try context.caller()
            let text = try context.parameters.require("code")
            guard let code = try? SessionCode(text) else { throw ServiceError.notFound("Aucune session n'a le code « \(text) ».") }
            let page = try await sessionPage(code, as: caller)
            return await renderer.render("session", titre: "Session \(code.description)", page: page, request: request, context: context)
        }
    }

    /// A session's page: its facts, the dashboard of every step's service, the step services
    /// with their buttons and the timeline.
    func sessionPage(_ code: SessionCode, as caller: InternalIdentity) async throws -> SessionPage {
        let aggregate = await AggregateRoutes(directory: directory).gather(AggregateRoutes.tableauDeBord(code.description), as: caller)
        if aggregate.parties["session"]?.etat == "absent" {
            throw ServiceError.notFound("La session \(code.description) n'existe pas.")
        }
        var parties = AggregateView(aggregate, order: Self.parts)
        if !parties.lignes.isEmpty { parties.lignes[0].resume = [] }
        let session = AggregateView.decode(SessionResume.self, aggregate.parties["session"]?.donnees)
        var historique: ReglementationVue.Historique?
        if session != nil { historique = await ReglementationPages(directory: directory, renderer: renderer).historique(code.description, as: caller) }
        let pilote = caller.role == .gestionnaire
        return SessionPage(
            code: code.description, libelle: session?.libelle,
            resume: session.map { Self.facts(of: $0) } ?? [],
            services: (session?.services ?? []).map { service in
                let (etat, classe) = Self.stepState(service.etat)
                return LigneService(libelle: service.libelle.prefix(1).uppercased() + service.libelle.dropFirst(), etat: etat, classe: classe,
                                    ouverture: service.ouverturePrevue.map(DateFrancaise.jour),
                                    fermeture: service.fermeturePrevue.map(DateFrancaise.jour), service: service.service,
                                    ouvrir: !pilote || service.etat == "ouvert" ? nil : (service.etat == "ferme" ? "Rouvrir" : "Ouvrir"),
                                    fermable: pilote && service.etat == "ouvert")
            },
            parties: parties, historique: historique, pilote: pilote)
    }

    /// A page of sessions from the réglementation service, or why there is none.
    func sessions(page: Int, taille: Int, as caller: InternalIdentity) async -> SessionsPage {
        do throws(ServiceError) {
            let answer = try await ServiceClient(directory: directory, service: "reglementation").appel(.get, "/sessions?taille=\(taille)&page=\(page)", as: caller)
            guard answer.status == .ok, let list = try? JSONDecoder().decode(SessionsAnswer.self, from: answer.body) else {
                return SessionsPage(sessions: [], indisponible: "Le service réglementation a répondu par une erreur (\(answer.status.code)) : la liste des sessions est indisponible pour le moment.")
            }
            return SessionsPage(sessions: list.items.map(Self.row), total: list.total)
        } catch {
            return SessionsPage(sessions: [], indisponible: "\(error.message) La liste des sessions est indisponible pour le moment.")
        }
    }

    static func row(_ session: SessionResume) -> LigneSession {
        LigneSession(
            code: session.code, lien: "/gestionnaire/sessions/\(Affichage.requete(session.code))", libelle: session.libelle,
            nature: Self.nature(session.nature), academie: session.academie, epreuves: Self.period(session),
            etat: session.etat == "ouverte" ? "Ouverte" : "Close", ouverte: session.etat == "ouverte")
    }

    static func facts(of session: SessionResume) -> [AggregateView.Valeur] {
        [
            .init(nom: "Nature", valeur: nature(session.nature)),
            .init(nom: "Académie", valeur: session.academie),
            .init(nom: "Épreuves", valeur: period(session) ?? "dates non fixées"),
            .init(nom: "État", valeur: session.etat == "ouverte" ? "Ouverte" : "Close"),
        ]
    }

    static func nature(_ raw: String) -> String {
        SessionCode.Nature(rawValue: raw).map { $0.libelle.prefix(1).uppercased() + $0.libelle.dropFirst() } ?? raw
    }

    static func period(_ session: SessionResume) -> String? {
        switch (session.debutEpreuves.map(DateFrancaise.jour), session.finEpreuves.map(DateFrancaise.jour)) {
        case let (debut?, fin?): "du \(debut) au \(fin)"
        case let (debut?, nil): "à partir du \(debut)"
        case let (nil, fin?): "jusqu'au \(fin)"
        case (nil, nil): nil
        }
    }

    static func stepState(_ raw: String) -> (String, String) {
        switch raw {
        case "ouvert": ("Ouvert", "etat--ok")
        case "ferme": ("Fermé", "etat--neutre")
        default: ("À ouvrir", "etat--attente")
        }
    }
}
