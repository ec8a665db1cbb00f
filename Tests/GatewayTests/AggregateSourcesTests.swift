import Contracts
import Domain
import Deliberation
import Publication
import Foundation
import Referentiel
import Hummingbird
import HummingbirdTesting
@testable import Evaluation
@testable import Organisation
import ServiceKit
import Storage
import Testing
import TestSupport
@testable import Gateway

/// Issue 12, point 11: the gateway's aggregated views called routes that did not exist. Here
/// every real service runs on a live socket behind the gateway, knowing the session as their
/// consumers would have recorded it, and every source of every aggregate must answer: no 404,
/// no 5xx, nothing missing — for the list of sources the gateway itself declares, so a source
/// added without its route fails here.
@Suite("Every source of every gateway aggregate answers")
struct AggregateSourcesTests {
    struct Partie: Decodable {
        var service: String
        var etat: String
        var raison: String?
    }

    struct Agregat: Decodable {
        var parties: [String: Partie]
        var manquants: [Partie]
        var complet: Bool
    }

    /// Runs service `S`'s router (real schema, real token check) on a live socket, after
    /// `preparer` fed its copy of the réglementation; `body` gets its base URL.
    static func enService<S: CycladesService>(
        _ service: S.Type, preparer: @escaping @Sendable (Database) async throws -> Void,
        _ body: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        let configuration = try ServiceConfiguration(serviceName: S.name, environment: TestStack.environment(S.name))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(S.self))
            try await preparer(runtime.database)
            try await Application(router: try await runtime.router(for: S.self)).test(.live) { client in
                try await body("http://localhost:\(client.port!)")
            }
        }
    }

    static func ouverte(_ code: String) throws -> SessionOuverte {
        SessionOuverte(session: try SessionCode(code), academie: "A01", libelle: "Session des agrégats", ouvertePar: "test")
    }

    @Test("the dashboard and the candidate's file: every source answers (no 404, no 5xx), each caller's scope checked by the services")
    func toutesLesSources() async throws {
        try await InscriptionEnAval.avec { inscription in
            let code = inscription.session
            try await ServicesEnAval.reglementation { reglementation in
                try await Self.enService(OrganisationService.self, preparer: { database in
                    let copie = Organisation.ReferentielRepository(database: database)
                    try await database.transaction { try await copie.enregistrer(try Self.ouverte(code), on: $0) }
                }) { organisation in
                    try await Self.enService(EvaluationService.self, preparer: { database in
                        let copie = Evaluation.ReferentielRepository(database: database)
                        try await database.transaction { try await copie.enregistrer(try Self.ouverte(code), on: $0) }
                    }) { evaluation in
                        try await Self.enService(DeliberationService.self, preparer: { database in
                            let copie = ReferentielReglementation(database: database)
                            try await database.transaction { try await copie.enregistrer(try Self.ouverte(code), on: $0) }
                        }) { deliberation in
                            try await Self.enService(PublicationService.self, preparer: { database in
                                let copie = ReferentielReglementation(database: database)
                                try await database.transaction { try await copie.enregistrer(try Self.ouverte(code), on: $0) }
                            }) { publication in
                                try await Passerelle.avec(services: [
                                    "reglementation": reglementation, "inscription": inscription.url, "organisation": organisation,
                                    "evaluation": evaluation, "deliberation": deliberation, "publication": publication,
                                ]) { p in
                                    try await Self.verifier(p, code: code)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func verifier(_ p: Passerelle, code: String) async throws {
        let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
        let ouverte = try await p.appel(.post, "/api/v1/reglementation/sessions", jeton: gestionnaire, json: Passerelle.json(
            ["code": code, "academie": "A01", "libelle": "Session des agrégats"]))
        #expect(ouverte.status == .created, "\(ouverte.texte)")

        // The gestionnaire's dashboard: every declared source answers.
        let tableau = try await p.appel(.get, "/api/v1/sessions/\(code)/tableau-de-bord", jeton: gestionnaire)
        #expect(tableau.status == .ok, "\(tableau.texte)")
        let agregat = try tableau.json(Agregat.self)
        let sources = AggregateRoutes.tableauDeBord(code)
        #expect(Set(agregat.parties.keys) == Set(sources.map(\.name)))
        for source in sources {
            #expect(agregat.parties[source.name]?.etat == "disponible",
                    "\(source.service) \(source.path): \(agregat.parties[source.name]?.etat ?? "-") \(agregat.parties[source.name]?.raison ?? "")")
        }
        #expect(agregat.complet)
        #expect(agregat.manquants.isEmpty)

        // A candidate's file, as the candidate and as the gestionnaire.
        let numero = String(format: "%08d", Int.random(in: 10_000_000...99_999_999))
        let candidat = try await p.jeton(try await p.compte(.candidat, habilitations: ["candidat:\(numero)"]))
        for jeton in [candidat, gestionnaire] {
            let dossier = try await p.appel(.get, "/api/v1/candidats/\(numero)/dossier", jeton: jeton)
            #expect(dossier.status == .ok, "\(dossier.texte)")
            let parties = try dossier.json(Agregat.self)
            let sources = AggregateRoutes.dossier(numero)
            #expect(Set(parties.parties.keys) == Set(sources.map(\.name)))
            for source in sources {
                #expect(parties.parties[source.name]?.etat == "disponible",
                        "\(source.service) \(source.path): \(parties.parties[source.name]?.etat ?? "-") \(parties.parties[source.name]?.raison ?? "")")
            }
            #expect(parties.complet)
        }

        // Scopes: the candidate reaches only his own, directly at the services too; a grader or
        // an établissement never reaches a candidate by identity.
        let autre = String(format: "%08d", Int.random(in: 10_000_000...99_999_999))
        #expect(try await p.appel(.get, "/api/v1/candidats/\(autre)/dossier", jeton: candidat).status == .forbidden)
        let correcteur = try await p.jeton(try await p.compte(.correcteur, habilitations: ["lot:\(UUID().uuidString.lowercased())"]))
        let etablissement = try await p.jeton(try await p.compte(.etablissement, habilitations: ["uai:\(InscriptionEnAval.uai())"]))
        for (jeton, cible) in [(candidat, autre), (correcteur, numero), (etablissement, numero)] {
            for chemin in ["/api/v1/organisation/candidats/\(cible)/convocation", "/api/v1/evaluation/candidats/\(cible)/notes",
                           "/api/v1/publication/candidats/\(cible)/resultat"] {
                let reponse = try await p.appel(.get, chemin, jeton: jeton)
                #expect(reponse.status == .forbidden, "\(chemin): \(reponse.status) \(reponse.texte)")
            }
        }
        for jeton in [candidat, correcteur, etablissement] {
            for service in ["organisation", "evaluation", "deliberation"] {
                #expect(try await p.appel(.get, "/api/v1/\(service)/sessions/\(code)/avancement", jeton: jeton).status == .forbidden)
            }
        }
    }
}
