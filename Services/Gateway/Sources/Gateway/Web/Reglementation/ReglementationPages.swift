import Domain
import Foundation
import Hummingbird
import ServiceKit

/// The gestionnaire's pages of the Réglementation service: opening and closing the step
/// services of a session (buttons and timeline on the session's page), the règlements of the
/// national pilot and their import, the centres of a session.
///
/// | page | what |
/// |---|---|
/// | `POST /gestionnaire/sessions/{code}/services/{service}/ouverture` · `/fermeture` | open / close a step (303, or the session's page with the refusal) |
/// | `/gestionnaire/reglements?q` · `/gestionnaire/reglements/{code}` | spécialités, the latest règlement of one |
/// | `/gestionnaire/reglements/import` (GET, POST) | import a pilot file, every error listed |
/// | `/gestionnaire/sessions/{code}/centres?role&q&page` · `/gestionnaire/etablissements/{uai}` | centres and their roles |
struct ReglementationPages: Sendable {
    let directory: ServiceDirectory
    let renderer: WebRenderer

    var reglementation: ServiceClient { ServiceClient(directory: directory, service: "reglementation") }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        addEtapes(to: web)
        addReglements(to: web)
        addCentres(to: web)
    }

    // MARK: Step services

    func addEtapes(to web: RouterGroup<ServiceRequestContext>) {
        web.post("gestionnaire/sessions/:code/services/:service/:action") { request, context -> Response in
            let caller = try context.caller()
            _ = try await WebForm.read(request)
            let text = try context.parameters.require("code")
            let service = try context.parameters.require("service")
            let action = try context.parameters.require("action")
            guard let code = try? SessionCode(text), ["ouverture", "fermeture"].contains(action),
                  ReglementationVue.etapes[service] != nil
            else { throw ServiceError.notFound("Cette action n'existe pas.") }
            let session = code.description
            let refus: ReglementationVue.Refus
            let status: HTTPResponse.Status
            do throws(ServiceError) {
                try await reglementation.envoyer(.post, "/sessions/\(Affichage.requete(session))/services/\(service)/\(action)", as: caller)
                return WebRenderer.redirect("/gestionnaire/sessions/\(Affichage.requete(session))#titre-services")
            } catch {
                refus = ReglementationVue.Refus(titre: Self.titreRefus(action: action, service: service), error)
                status = error.status
            }
            let pages = GestionnairePages(directory: directory, renderer: renderer)
            var page = try await pages.sessionPage(code, as: caller)
            page.refus = refus
            return await renderer.render(
                "session", titre: "Erreur : session \(session)", page: page, request: request, context: context, status: status)
        }
    }

    static func titreRefus(action: String, service: String) -> String {
        let etape = ReglementationVue.etapes[service] ?? service
        return action == "ouverture"
            ? "Le service « \(etape) » n'a pas été ouvert."
            : "Le service « \(etape) » n'a pas été fermé."
    }

    /// The timeline of a session (oldest first), who did what named from the accounts.
    func historique(_ code: String, as caller: InternalIdentity) async -> ReglementationVue.Historique {
        struct Evenement: Decodable {
            var le: String
            var action: String
            var service: String?
            var par: String
            var ouverturePrevue: String?
            var fermeturePrevue: String?
        }
        struct Reponse: Decodable {
            var items: [Evenement]
            var total: Int
        }
        do throws(ServiceError) {
            let answer = try await reglementation.appel(.get, "/sessions/\(Affichage.requete(code))/historique?taille=200", as: caller)
            guard answer.status == .ok, let reponse = try? JSONDecoder().decode(Reponse.self, from: answer.body) else {
                return .init(evenements: [], indisponible: "L'historique de la session est indisponible (erreur \(answer.status.code)).")
            }
            var noms: [String: String] = [:]
            var lignes: [ReglementationVue.Evenement] = []
            for evenement in reponse.items {
                if noms[evenement.par] == nil {
                    var nom = evenement.par
                    if let id = UUID(uuidString: evenement.par), let compte = try? await renderer.accounts.find(id: id) { nom = compte.displayName }
                    noms[evenement.par] = nom
                }
                let (libelle, classe) = Self.action(evenement.action)
                var precision: String?
                if evenement.action == "calendrier" {
                    precision = [evenement.ouverturePrevue.map(DateFrancaise.jour).map { "ouverture prévue le \($0)" },
                                 evenement.fermeturePrevue.map(DateFrancaise.jour).map { "fermeture prévue le \($0)" }]
                        .compactMap { $0 }.joined(separator: ", ")
                    if precision?.isEmpty == true { precision = nil }
                }
                lignes.append(.init(
                    date: DateFrancaise.instant(iso: evenement.le), iso: evenement.le,
                    etape: evenement.service.map { ReglementationVue.etapes[$0] ?? $0 } ?? "Session",
                    action: libelle, classe: classe, precision: precision, par: noms[evenement.par] ?? evenement.par))
            }
            let tronque = reponse.total > lignes.count ? "Seuls les \(lignes.count) premiers événements sur \(reponse.total) sont affichés." : nil
            return .init(evenements: lignes, indisponible: nil, tronque: tronque)
        } catch {
            return .init(evenements: [], indisponible: "\(error.message) L'historique est indisponible pour le moment.")
        }
    }

    static func action(_ raw: String) -> (String, String) {
        switch raw {
        case "session_ouverte": ("Session ouverte", "etat--ok")
        case "session_close": ("Session close", "etat--neutre")
        case "calendrier": ("Calendrier fixé", "etat--attente")
        case "ouvert": ("Ouvert", "etat--ok")
        case "rouvert": ("Rouvert", "etat--alerte")
        case "ferme": ("Fermé", "etat--neutre")
        default: (raw, "etat--neutre")
        }
    }
}

/// What the Réglementation pages show, and the helpers they share.
enum ReglementationVue {
    /// The step services by their contract name, with their French label.
    static let etapes: [String: String] = [
        "reglementation": "Réglementation", "inscription_etablissement": "Inscription établissement",
        "inscription_grand_public": "Inscription Grand Public", "organisation": "Organisation",
        "collecte_notes": "Collecte des notes", "deliberation": "Délibération", "publication": "Publication",
        "extraction_etablissement": "Extraction établissement",
    ]

    /// A refusal of the service, as a notice: its French message and each detail.
    struct Refus: Sendable {
        var titre: String
        var message: String
        var details: [Detail]
        var aDetails: Bool

        init(titre: String, message: String, details: [Detail]) {
            self.titre = titre
            self.message = message
            self.details = details
            aDetails = !details.isEmpty
        }

        /// A refusal of the service (or its absence), every detail with its field.
        init(titre: String, _ erreur: ServiceError) {
            self.init(titre: titre, message: erreur.message,
                      details: erreur.details.map { Detail(location: $0.location, code: $0.code, message: $0.message) })
        }
    }

    struct Detail: Sendable {
        var location: String?
        var code: String?
        var message: String
    }

    struct Historique: Sendable {
        var evenements: [Evenement]
        var indisponible: String?
        var tronque: String?
    }

    struct Evenement: Sendable {
        var date: String
        var iso: String
        var etape: String
        var action: String
        var classe: String
        var precision: String?
        var par: String
    }

    /// `Fabrication` from `fabrication`.
    static func capitalise(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// Compares ignoring case and accents.
    static func contient(_ text: String, _ recherche: String) -> Bool {
        text.range(of: recherche, options: [.caseInsensitive, .diacriticInsensitive]) != nil
    }
}
