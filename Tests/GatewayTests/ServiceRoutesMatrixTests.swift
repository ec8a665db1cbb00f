import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Inscription
import Organisation
import Reglementation
import Evaluation
import Deliberation
import Publication
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// Issue 12, "must show": every route of every service, called through the gateway, × every role
/// an account can have, with and without the scope the route's data needs. The table below is
/// the role gate of each route (who gets past `context.require`); a caller outside it gets a bare
/// 403 from the service, an anonymous one 401 from the gateway, a caller with the wrong scope
/// never a 2xx on a route that names his scoped object, and nobody a 5xx. A route added to a
/// service without its row here fails the test.
@Suite("Every service route through the gateway × every role")
struct ServiceRoutesMatrixTests {
    /// A = admin, G = gestionnaire, E = établissement, C = correcteur, I = interrogateur,
    /// P = président de jury, D = chef de centre de délibération, K = candidat (the `service` role
    /// is never an account's).
    static let gates: [String: String] = [
        "reglementation GET /v1/sessions/{code}/specialites": "AG",
        "reglementation PUT /v1/sessions/{code}/specialites/{specialite}": "G",
        "reglementation DELETE /v1/sessions/{code}/specialites/{specialite}": "G",
        "reglementation GET /v1/sessions/{code}/pieces": "AG",
        "reglementation PUT /v1/sessions/{code}/pieces": "G",
        "reglementation POST /v1/sessions/{code}/reglement/publication": "G",
        "reglementation GET /v1/sessions/{code}/reglement": "AG",
        "reglementation PUT /v1/ressources/{academie}/{code}": "G",
        "reglementation GET /v1/ressources": "AG",
        "reglementation GET /v1/ressources/{academie}/{code}/versions": "AG",
        "reglementation GET /v1/ressources/{academie}/{code}": "AG",
        "reglementation POST /v1/traitements": "G",
        "reglementation GET /v1/traitements": "AG",
        "reglementation GET /v1/traitements/{id}": "AG",
        "reglementation POST /v1/traitements/{id}/suspension": "G",
        "reglementation POST /v1/traitements/{id}/reprise": "G",
        "reglementation POST /v1/traitements/reservations": "A",
        "reglementation POST /v1/executions/{id}/fin": "A",
        "reglementation PUT /v1/sessions/{code}/centres/{uai}": "G",
        "reglementation GET /v1/sessions/{code}/centres": "AEG",
        "reglementation GET /v1/sessions/{code}/centres/{uai}": "AEG",
        "reglementation DELETE /v1/sessions/{code}/centres/{uai}": "G",
        "reglementation POST /v1/etablissements": "G",
        "reglementation GET /v1/etablissements": "AEG",
        "reglementation GET /v1/etablissements/{uai}": "AEG",
        "reglementation PUT /v1/etablissements/{uai}": "G",
        "reglementation DELETE /v1/etablissements/{uai}": "G",
        "reglementation POST /v1/pilote/imports": "G",
        "reglementation GET /v1/pilote/specialites": "AG",
        "reglementation GET /v1/pilote/specialites/{specialite}": "AG",
        "reglementation GET /v1/pilote/specialites/{specialite}/reglements/{version}": "AG",
        "reglementation GET /v1/sessions/{code}/services": "AG",
        "reglementation PUT /v1/sessions/{code}/services/{service}/calendrier": "G",
        "reglementation POST /v1/sessions/{code}/services/{service}/ouverture": "G",
        "reglementation POST /v1/sessions/{code}/services/{service}/fermeture": "G",
        "reglementation GET /v1/sessions/{code}/historique": "AG",
        "reglementation POST /v1/sessions": "G",
        "reglementation GET /v1/sessions": "AG",
        "reglementation GET /v1/sessions/{code}": "AG",
        "reglementation POST /v1/sessions/{code}/cloture": "G",
        "inscription POST /v1/candidatures/{id}/amenagements": "EGK",
        "inscription GET /v1/candidatures/{id}/amenagements": "AEGK",
        "inscription GET /v1/sessions/{code}/amenagements": "AEG",
        "inscription POST /v1/amenagements/{amenagement}/decision": "G",
        "inscription POST /v1/sessions/{code}/candidatures": "EGK",
        "inscription GET /v1/sessions/{code}/candidatures": "AEGK",
        "inscription GET /v1/candidats/{id}/candidature": "AGK",
        "inscription POST /v1/etablissements/{uai}/papillons/verification": "EG",
        "inscription GET /v1/candidatures/{id}": "AEGK",
        "inscription PUT /v1/candidatures/{id}": "EGK",
        "inscription POST /v1/candidatures/{id}/validation": "EGK",
        "inscription POST /v1/candidatures/{id}/annulation": "EGK",
        "inscription GET /v1/candidatures/{id}/historique": "AEGK",
        "inscription GET /v1/candidatures/{id}/confirmations": "AEGK",
        "inscription GET /v1/candidatures/{id}/confirmation": "AEGK",
        "inscription GET /v1/sessions/{code}/confirmations.pdf": "EG",
        "inscription POST /v1/sessions/{code}/confirmations/regeneration": "G",
        "inscription GET /v1/sessions/{code}/offre": "ACDEGIKP",
        "inscription POST /v1/sessions/{code}/etablissements/{uai}/import": "EG",
        "inscription POST /v1/candidatures/{id}/pieces": "EGK",
        "inscription GET /v1/candidatures/{id}/pieces": "AEGK",
        "inscription GET /v1/pieces/{piece}/contenu": "EGK",
        "inscription POST /v1/pieces/{piece}/decision": "G",
        "inscription GET /v1/sessions/{code}/statistiques": "AEG",
        "inscription GET /v1/sessions/{code}/candidatures.csv": "EG",
        "organisation POST /v1/sessions/{code}/regroupements": "G",
        "organisation GET /v1/sessions/{code}/regroupements": "AG",
        "organisation GET /v1/regroupements/{id}": "AG",
        "organisation DELETE /v1/regroupements/{id}": "G",
        "organisation POST /v1/regroupements/{id}/affectation-automatique": "G",
        "organisation POST /v1/regroupements/{id}/affectation": "G",
        "organisation POST /v1/sessions/{code}/affectation-automatique": "G",
        "organisation POST /v1/sessions/{code}/affectations": "G",
        "organisation GET /v1/sessions/{code}/affectations": "AEG",
        "organisation GET /v1/sessions/{code}/verification": "AG",
        "organisation POST /v1/sessions/{code}/ccf": "EG",
        "organisation GET /v1/sessions/{code}/ccf": "AEG",
        "organisation POST /v1/sessions/{code}/terminaison": "G",
        "organisation POST /v1/sessions/{code}/anonymats": "G",
        "organisation GET /v1/sessions/{code}/avancement": "AG",
        "organisation GET /v1/candidats/{id}/convocation": "AGK",
        "organisation POST /v1/sessions/{code}/convocations": "G",
        "organisation GET /v1/sessions/{code}/convocations": "AEGK",
        "organisation GET /v1/sessions/{code}/convocations.pdf": "EG",
        "organisation GET /v1/candidatures/{id}/convocations": "AEGK",
        "organisation GET /v1/candidatures/{id}/convocation": "AEGK",
        "organisation GET /v1/sessions/{code}/centres/{uai}/documents/{type}": "EG",
        "organisation GET /v1/sessions/{code}/centres": "AEG",
        "organisation POST /v1/sessions/{code}/delegations": "G",
        "organisation GET /v1/sessions/{code}/delegations": "AEG",
        "organisation DELETE /v1/sessions/{code}/delegations/{centre}/{specialite}/{unite}": "G",
        "organisation POST /v1/sessions/{code}/centres/{uai}/placement": "EG",
        "organisation PUT /v1/sessions/{code}/centres/{uai}/dates": "EG",
        "organisation PUT /v1/affectations/{candidature}/{unite}/salle": "EG",
        "organisation POST /v1/sessions/{code}/centres/{uai}/presences": "EG",
        "organisation GET /v1/sessions/{code}/centres/{uai}/presences": "AEG",
        "evaluation GET /v1/sessions/{code}/unites": "AEG",
        "evaluation GET /v1/sessions/{code}/centres": "AG",
        "evaluation POST /v1/sessions/{code}/commissions": "G",
        "evaluation GET /v1/sessions/{code}/commissions": "AEG",
        "evaluation POST /v1/sessions/{code}/unites/{unite}/lots": "G",
        "evaluation GET /v1/sessions/{code}/lots": "AEG",
        "evaluation POST /v1/sessions/{code}/affectations": "G",
        "evaluation DELETE /v1/lots/{id}/correcteurs/{sujet}": "G",
        "evaluation POST /v1/sessions/{code}/unites/{unite}/ouverture": "G",
        "evaluation POST /v1/sessions/{code}/unites/{unite}/fermeture": "G",
        "evaluation POST /v1/lots/{id}/ouverture": "G",
        "evaluation POST /v1/lots/{id}/fermeture": "G",
        "evaluation GET /v1/lots/{id}": "ACEGI",
        "evaluation GET /v1/lots/{id}/copies": "ACEGI",
        "evaluation GET /v1/correcteurs/moi/lots": "CI",
        "evaluation GET /v1/lots/{id}/bordereau.pdf": "ACEGI",
        "evaluation GET /v1/lots/{id}/etiquettes.pdf": "AEG",
        "evaluation POST /v1/lots/{id}/notes": "CEGI",
        "evaluation GET /v1/commandes/{id}": "ACEGI",
        "evaluation POST /v1/lots/{id}/verrouillage": "CEGI",
        "evaluation POST /v1/lots/{id}/deverrouillage": "G",
        "evaluation POST /v1/lots/{id}/reouverture": "G",
        "evaluation GET /v1/sessions/{code}/suivi": "AEG",
        "evaluation GET /v1/sessions/{code}/correcteurs-non-commences": "AEG",
        "evaluation GET /v1/sessions/{code}/decharge.csv": "EG",
        "evaluation GET /v1/sessions/{code}/notes-manquantes": "AG",
        "evaluation POST /v1/sessions/{code}/audit/verification": "AG",
        "evaluation GET /v1/sessions/{code}/avancement": "AG",
        "evaluation GET /v1/candidats/{id}/notes": "AGK",
        "evaluation GET /v1/lots/{id}/audit": "AG",
        "deliberation GET /v1/sessions/{code}/baremes": "AGPD",
        "deliberation POST /v1/sessions/{code}/simulation": "AGPD",
        "deliberation GET /v1/sessions/{code}/notes-manquantes": "AG",
        "deliberation GET /v1/sessions/{code}/avancement": "AG",
        "deliberation GET /v1/sessions/{code}/statistiques": "AG",
        "deliberation GET /v1/sessions/{code}/jurys": "AGPD",
        "deliberation POST /v1/sessions/{code}/jurys": "G",
        "deliberation POST /v1/sessions/{code}/jurys/repartition": "G",
        "deliberation PUT /v1/sessions/{code}/jurys/{jury}": "G",
        "deliberation POST /v1/sessions/{code}/jurys/{jury}/candidats": "G",
        "deliberation POST /v1/sessions/{code}/jurys/{jury}/ouverture": "G",
        "deliberation POST /v1/sessions/{code}/jurys/{jury}/reouverture": "G",
        "deliberation GET /v1/sessions/{code}/jurys/{jury}/journal": "AGPD",
        "deliberation GET /v1/sessions/{code}/jurys/{jury}/seance": "AGPD",
        "deliberation POST /v1/sessions/{code}/jurys/{jury}/interventions": "P",
        "deliberation POST /v1/sessions/{code}/jurys/{jury}/cloture": "PD",
        "deliberation GET /v1/sessions/{code}/jurys/{jury}/pv.pdf": "AGPD",
        // The public site's data: the gateway's own identity (role `service`) only.
        "publication GET /v1/public/generation": "",
        "publication GET /v1/public/sessions": "",
        "publication GET /v1/public/sessions/{code}/resultats": "",
        "publication GET /v1/candidats/{id}/resultat": "AGK",
        "publication GET /v1/sessions/{code}/publication": "AG",
        "publication POST /v1/sessions/{code}/publication/verification": "G",
        "publication POST /v1/sessions/{code}/publication/rediffusion": "G",
        "publication GET /v1/sessions/{code}/resultats": "AGE",
        "publication POST /v1/sessions/{code}/documents/generation": "G",
        "publication GET /v1/sessions/{code}/documents/masques": "AG",
        "publication GET /v1/sessions/{code}/documents.pdf": "AGE",
        "publication GET /v1/candidats/{id}/espace": "AGK",
        "publication GET /v1/candidats/{id}/espace/{document}": "AGKE",
        "publication GET /v1/sessions/{code}/espace": "AGE",
        "publication PUT /v1/sessions/{code}/documents/{type}/masquage": "G",
        "publication GET /v1/sessions/{code}/extraction.csv": "AGE",
        "publication GET /v1/sessions/{code}/resultats.pdf": "AGE",
        "publication GET /v1/candidats/{id}/documents": "AGK",
        "publication GET /v1/candidats/{id}/documents/{document}": "AGK",
        "publication GET /v1/public/verification/{code}": "",
    ]

    /// A grade command not handled yet (or never sent) answers 202 « acceptée » to whoever
    /// asks, echoing only the id given: the sender polls it; nobody's data is in it.
    static let commandeEnAttente = "evaluation GET /v1/commandes/{id}"

    struct Appelant: Sendable {
        var nom: String
        var role: Role?
        var lettre: Character?
        var habilitations: [String]
        /// The route parameters this caller's scopes do NOT cover (a 2xx there would be a leak).
        var horsPortee: Set<String>
    }

    @Test("each service route: its role gate as written here, 401 anonymous, 403 outside, no 2xx out of scope, never a 5xx")
    func matrix() async throws {
        let services = Self.services
        try await ServicesEnAval.reglementation { reglementation in
            try await InscriptionEnAval.avec { inscription in
                try await AggregateSourcesTests.enService(OrganisationService.self, preparer: { _ in }) { organisation in
                    try await AggregateSourcesTests.enService(EvaluationService.self, preparer: { _ in }) { evaluation in
                        try await AggregateSourcesTests.enService(DeliberationService.self, preparer: { _ in }) { deliberation in
                            try await AggregateSourcesTests.enService(PublicationService.self, preparer: { _ in }) { publication in
                                let urls = Dictionary(uniqueKeysWithValues: zip(
                                    services, [reglementation, inscription.url, organisation, evaluation, deliberation, publication]))
                                try await Passerelle.avec(services: urls) { p in
                                    try await Self.run(p, session: inscription.session)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func run(_ p: Passerelle, session: String) async throws {
        let (uai, autreUAI) = (AuthorizationMatrixTests.uai(), AuthorizationMatrixTests.uai())
        let objet = UUID().uuidString.lowercased()
        let appelants = [
            Appelant(nom: "anonyme", role: nil, lettre: nil, habilitations: [], horsPortee: []),
            Appelant(nom: "admin", role: .admin, lettre: "A", habilitations: [], horsPortee: []),
            Appelant(nom: "gestionnaire", role: .gestionnaire, lettre: "G", habilitations: [], horsPortee: []),
            Appelant(nom: "établissement (son UAI)", role: .etablissement, lettre: "E", habilitations: ["uai:\(uai)"], horsPortee: []),
            Appelant(nom: "établissement (autre UAI)", role: .etablissement, lettre: "E", habilitations: ["uai:\(autreUAI)"],
                     horsPortee: ["uai", "centre"]),
            Appelant(nom: "correcteur (son lot)", role: .correcteur, lettre: "C", habilitations: ["lot:\(objet)"], horsPortee: []),
            Appelant(nom: "interrogateur (autre lot)", role: .interrogateur, lettre: "I", habilitations: ["lot:\(UUID().uuidString.lowercased())"],
                     horsPortee: ["id"]),
            Appelant(nom: "président de jury", role: .presidentJury, lettre: "P", habilitations: ["jury:J1"], horsPortee: []),
            Appelant(nom: "chef de centre", role: .chefCentre, lettre: "D", habilitations: ["uai:\(uai)"], horsPortee: []),
            Appelant(nom: "candidat", role: .candidat, lettre: "K", habilitations: ["candidat:\(objet)", "uai:\(uai)"], horsPortee: []),
        ]
        var jetons: [String: String] = [:]
        for appelant in appelants {
            guard let role = appelant.role else { continue }
            jetons[appelant.nom] = try await p.jeton(try await p.compte(role, habilitations: appelant.habilitations))
        }
        let valeurs = [
            "code": session, "id": objet, "uai": uai, "centre": uai, "specialite": "COIFFURE", "unite": "U10",
            "service": "inscription_etablissement", "academie": "A01", "piece": objet, "amenagement": objet,
            "candidature": objet, "sujet": "correcteur-inconnu", "type": "emargement", "version": "1", "jury": "J1", "document": objet,
        ]

        var vues = Set<String>()
        for (cle, porte) in gates.sorted(by: { $0.key < $1.key }) {
            let morceaux = cle.split(separator: " ", maxSplits: 2).map(String.init)
            let (service, methode, modele) = (morceaux[0], HTTPRequest.Method(morceaux[1])!, morceaux[2])
            var chemin = modele
            var parametres: Set<String> = []
            for (nom, valeur) in valeurs where chemin.contains("{\(nom)}") {
                chemin = chemin.replacingOccurrences(of: "{\(nom)}", with: valeur)
                parametres.insert(nom)
            }
            let uri = "/api/v1/\(service)" + chemin.dropFirst("/v1".count)
            vues.insert(cle)
            for appelant in appelants {
                let corps = methode == .get || methode == .delete ? nil : "{}"
                let reponse = try await p.appel(methode, uri, jeton: jetons[appelant.nom], json: corps)
                let label = "\(methode) \(uri) as \(appelant.nom)"
                let code = reponse.status.code
                #expect(code < 500, "\(label): \(reponse.texte)")
                guard let lettre = appelant.lettre else {
                    #expect(reponse.status == .unauthorized, "\(label): \(reponse.texte)")
                    continue
                }
                if porte.contains(lettre) {
                    #expect(reponse.status != .unauthorized, "\(label): \(reponse.texte)")
                    if !appelant.horsPortee.isDisjoint(with: parametres), !(cle == Self.commandeEnAttente && reponse.status == .accepted) {
                        #expect(!(200..<300).contains(code), "\(label) reached another's data: \(reponse.texte)")
                    }
                } else {
                    #expect(reponse.status == .forbidden, "\(label): the gate is \(porte): \(reponse.texte)")
                }
            }
        }

        // Every route every service declares has its row, and every row a route.
        var declarees = Set<String>()
        for service in services {
            for route in try await routes(of: service) { declarees.insert("\(service) \(route)") }
        }
        #expect(declarees.subtracting(vues).isEmpty, "routes without a row: \(declarees.subtracting(vues).sorted())")
        #expect(vues.subtracting(declarees).isEmpty, "rows without a route: \(vues.subtracting(declarees).sorted())")
    }

    static let services = ["reglementation", "inscription", "organisation", "evaluation", "deliberation", "publication"]

    /// `METHOD /v1/path/{param}` of every route a service's router declares.
    static func routes(of name: String) async throws -> [String] {
        let configuration = try ServiceConfiguration(serviceName: name, environment: TestStack.environment(name))
        let runtime = await ServiceRuntime(configuration: configuration)
        let router: Router<ServiceRequestContext>
        switch name {
        case "reglementation": router = try await runtime.router(for: ReglementationService.self)
        case "inscription": router = try await runtime.router(for: InscriptionService.self)
        case "organisation": router = try await runtime.router(for: OrganisationService.self)
        case "deliberation": router = try await runtime.router(for: DeliberationService.self)
        case "publication": router = try await runtime.router(for: PublicationService.self)
        default: router = try await runtime.router(for: EvaluationService.self)
        }
        return router.routes.compactMap { route in
            let chemin = route.path.description
            guard chemin.hasPrefix("/v1/") else { return nil }
            let modele = chemin.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method.rawValue) \(modele)"
        }
    }
}
