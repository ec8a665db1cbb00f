import Contracts
import Domain
import Foundation
@testable import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// The gateway's organisation pages in front of the real Organisation service (live socket, real
/// schema): the gestionnaire's screen (capacity view, regroupements, automatic assignment), the
/// centre's seating and papers; forms posted with the session and CSRF cookies as a browser does.
@Suite("Organisation: the gateway's French pages")
struct PagesTests {
    struct Visiteur: Sendable {
        let client: any TestClientProtocol
        let jeton: String
        let csrf = CSRF.newToken()

        var cookies: String { "\(UserSessionMiddleware.cookieName)=\(jeton); \(CSRF.cookieName)=\(csrf)" }

        func get(_ uri: String) async throws -> (HTTPResponse.Status, String) {
            let r = try await client.execute(uri: uri, method: .get, headers: [.cookie: cookies], body: nil)
            return (r.status, Self.texte(r.body))
        }

        /// The page's text with the entities the templates escape put back.
        static func texte(_ corps: ByteBuffer) -> String {
            String(buffer: corps).replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&amp;", with: "&")
        }

        func post(_ uri: String, _ champs: [(String, String)]) async throws -> (HTTPResponse.Status, String) {
            let corps = (champs + [("_csrf", csrf)]).map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
            let r = try await client.execute(
                uri: uri, method: .post, headers: [.cookie: cookies, .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: corps))
            return (r.status, Self.texte(r.body))
        }

        static func encode(_ texte: String) -> String {
            texte.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? texte
        }
    }

    /// The gateway with the services at `services` (name → URL), the others absent.
    static func passerelle(services: [String: String], _ body: @escaping @Sendable (GatewayComponents, any TestClientProtocol) async throws -> Void) async throws {
        var environment = try TestStack.environment("gateway")
        environment["CYCLADES_BCRYPT_COST"] = "4"
        // Every suite runs at once on two cores: a live service may take seconds to answer.
        environment["CYCLADES_SERVICE_TIMEOUT_MS"] = "60000"
        environment["CYCLADES_SERVICE_URLS"] = ServiceDirectory.services
            .map { "\($0)=\(services[$0] ?? "http://127.0.0.1:9")" }.joined(separator: ",")
        let runtime = await ServiceRuntime(configuration: try ServiceConfiguration(serviceName: "gateway", environment: environment))
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(GatewayService.self))
            let components = try await GatewayComponents(runtime: runtime)
            try await Application(router: try components.router()).test(.router) { client in try await body(components, client) }
        }
    }

    static func jeton(_ components: GatewayComponents, _ role: Role, habilitations: [String] = []) async throws -> String {
        let identity = components.identity
        let account = try await identity.create(
            .init(identifiant: "org-\(UInt32.random(in: 0...UInt32.max))@test.fr", nom: "Compte \(role.rawValue)", courriel: nil, role: role,
                  habilitations: habilitations),
            by: InternalIdentity(subject: "test", role: .admin), address: nil)
        let hash = try await identity.hasher.hash("Mot-de-passe-de-test-1")
        try await components.runtime.database.transaction { connection in
            try await identity.accounts.setPassword(id: account.id, hash: hash, on: connection)
        }
        var actif = account
        actif.state = .actif
        return try await identity.sessions.open(actif, address: nil, userAgent: "tests").token
    }

    @Test("the gestionnaire sees capacities, builds a regroupement (errors beside their field), runs the assignment; the centre seats and prints")
    func pages() async throws {
        try await Banc.avecService(mode: .live) { banc in
            let lycee = try await banc.centre("Lycée Victor Hugo", salles: [Salle(nom: "S1", places: 1), Salle(nom: "Salle 12", places: 20)], departement: "075")
            let etab = UAIs.valide(departement: "075")
            try await banc.nourrir(try (0..<6).map { i in
                try banc.candidature(nom: "Web\(i)", etablissement: etab, amenagements: i == 0 ? [MesureAmenagement(type: .salleSeparee)] : [])
            })
            try await Self.passerelle(services: ["organisation": "http://127.0.0.1:\(banc.client.port!)"]) { components, client in
                let gestionnaire = Visiteur(client: client, jeton: try await Self.jeton(components, .gestionnaire))
                let base = "/gestionnaire/sessions/\(banc.session)/organisation"

                let (statut, page) = try await gestionnaire.get(base)
                #expect(statut == .ok, "\(page.prefix(400))")
                #expect(page.contains("Capacités des centres d'épreuve") && page.contains("Lycée Victor Hugo") && page.contains("Salle 12 (20)"))
                #expect(page.contains("0 épreuve(s)-candidat(s) placée(s) sur 24") && page.contains("incomplète"))
                #expect(page.contains(#"href="/gestionnaire/organisation""#))
                #expect(page.contains("Épreuves non placées") && page.contains("pas encore affectée à un centre"))

                let (refus, erreurs) = try await gestionnaire.post("\(base)/regroupements", [("libelle", "Paris"), ("departements", "7")])
                #expect(refus == .unprocessableContent && erreurs.contains("Départements : Département « 7 » invalide"))
                #expect(erreurs.contains(#"value="Paris""#))
                let (cree, apres) = try await gestionnaire.post("\(base)/regroupements", [("libelle", "Paris écrits"), ("departements", "75"), ("unites", "U20, U30")])
                #expect(cree == .ok && apres.contains("Regroupement « Paris écrits » créé.") && apres.contains("départements 075 ; unités U20, U30"))

                let (_, affecte) = try await gestionnaire.post("\(base)/affectation", [])
                #expect(affecte.contains("Affectation automatique : 6 candidat(s) placé(s) sur 6 (24 épreuves), 0 non placé(s)"))
                #expect(affecte.contains("24 épreuve(s)-candidat(s) placée(s) sur 24"))
                #expect(affecte.contains("6 inscrit(s) (1 salle(s) séparée(s), 0 temps majoré)") && !affecte.contains("Épreuves non placées"))

                // The centre's page: its own sittings, papers, no seating until delegated.
                let centre = Visiteur(client: client, jeton: try await Self.jeton(components, .etablissement, habilitations: ["uai:\(lycee)"]))
                let pageCentre = "/etablissement/centre/\(banc.session)/\(lycee)"
                let (vu, texte) = try await centre.get(pageCentre)
                #expect(vu == .ok && texte.contains("U20 — BP COIFFURE") && texte.contains("non déléguée"))
                #expect(texte.contains("/api/v1/organisation/sessions/\(banc.session)/centres/\(lycee)/documents/emargement?specialite=COIFFURE&unite=U20"))
                #expect(!texte.contains("Placer en salle") && !texte.contains("Étiquettes de copie"))
                #expect(try await centre.get("/etablissement/centre/\(banc.session)/\(UAIs.valide())").0 == .forbidden)

                // The gestionnaire seats U20 from the centre's page.
                let (_, assis) = try await gestionnaire.post("\(base)/centres/\(lycee)/placement", [("specialite", "COIFFURE"), ("unite", "U20"), ("ordre", "alphabetique")])
                #expect(assis.contains("Candidats de l'unité U20 placés en salle"))
                #expect(assis.contains("Étiquettes de copie") && assis.contains("<td>Salle 12</td><td>1</td>"))
                let u20 = try await banc.places().filter { $0.unite == "U20" }
                #expect(u20.allSatisfy { $0.salle != nil } && u20.filter { $0.salle == "S1" }.count == 1)

                // Without the CSRF field the form is refused.
                let sansJeton = try await client.execute(uri: "\(base)/anonymats", method: .post,
                                                         headers: [.cookie: gestionnaire.cookies, .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: ""))
                #expect(sansJeton.status == .forbidden)
                // The menu of each role leads to its page.
                #expect(WebRenderer.navigation(for: .candidat, path: "/candidat/convocations").contains { $0.href == "/candidat/convocations" && $0.courant })
                #expect(WebRenderer.navigation(for: .etablissement, path: "/").contains { $0.href == "/etablissement/centre" })
            }
        }
    }
}
