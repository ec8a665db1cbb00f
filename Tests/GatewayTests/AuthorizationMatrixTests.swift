import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// Every route of `/api` × every caller: the allowed ones get the route's answer, the others a
/// bare 401/403 problem that tells nothing of the data behind it.
@Suite("Gateway authorization matrix")
struct AuthorizationMatrixTests {
    /// The callers: anonymous, and one account per role that accounts can have (the `service`
    /// role is refused to accounts: only services carry it, inside internal tokens).
    enum Appelant: String, CaseIterable, Sendable {
        case anonyme, admin, gestionnaire, etablissement, correcteur, interrogateur, presidentJury, candidat
    }

    struct Cas: Sendable {
        var methode: HTTPRequest.Method
        /// The documented path (`{id}`, `{chemin}`), to check every route has its case.
        var modele: String
        var autorises: Set<Appelant>
        var succes: HTTPResponse.Status
        var note = ""
        /// The concrete request for one caller (built per call: some routes consume what they name).
        var requete: @Sendable (Appelant) async throws -> (uri: String, json: String?)
    }

    static let tous = Set(Appelant.allCases)
    static let connectes = tous.subtracting([.anonyme])

    @Test("each route answers its allowed callers and refuses the others with 401/403, leaking nothing")
    func matrix() async throws {
        try await ServicesEnAval.reglementation { reglementation in
            try await ServicesEnAval.evaluation { evaluation in
                // A stopped service makes a call wait for its deadline (the HTTP client keeps
                // retrying the connection until then): 2 s keeps the matrix short.
                try await Passerelle.avec(services: ["reglementation": reglementation, "evaluation": evaluation]) { p in
                    try await Self.run(p)
                }
            }
        }
    }

    static func uai() -> String {
        let digits = String(format: "%07d", Int.random(in: 0...9_999_999))
        return digits + String(UAI.checkLetter(for: digits)!)
    }

    static func run(_ p: Passerelle) async throws {
        let n = UInt32.random(in: 0...UInt32.max)
        let (u1, u2, lot1, lot2, c1, c2) = (uai(), uai(), "L\(n)a", "L\(n)b", "ine\(n)a", "ine\(n)b")
        let comptes: [Appelant: Passerelle.Compte] = [
            .admin: try await p.compte(.admin),
            .gestionnaire: try await p.compte(.gestionnaire),
            .etablissement: try await p.compte(.etablissement, habilitations: ["uai:\(u1)"]),
            .correcteur: try await p.compte(.correcteur, habilitations: ["lot:\(lot1)"]),
            .interrogateur: try await p.compte(.interrogateur, habilitations: ["lot:\(lot2)"]),
            .presidentJury: try await p.compte(.presidentJury, habilitations: ["jury:J\(n)"]),
            .candidat: try await p.compte(.candidat, habilitations: ["candidat:\(c1)", "uai:\(u1)"]),
        ]
        var jetons: [Appelant: String] = [:]
        for (appelant, compte) in comptes { jetons[appelant] = try await p.jeton(compte) }
        let publicCompte = try await p.compte(.correcteur)
        let cible = comptes[.candidat]!
        let pw = Passerelle.motDePasse
        let json = Passerelle.json

        let cas: [Cas] = [
            // Public: the same for everyone, whoever they are.
            Cas(methode: .post, modele: "/api/v1/auth/connexion", autorises: tous, succes: .ok) { _ in
                ("/api/v1/auth/connexion", json(["identifiant": publicCompte.login, "motDePasse": pw])) },
            Cas(methode: .post, modele: "/api/v1/auth/activation", autorises: tous, succes: .unprocessableContent, note: "unknown link") { _ in
                ("/api/v1/auth/activation", json(["jeton": "inconnu", "motDePasse": pw])) },
            Cas(methode: .post, modele: "/api/v1/auth/activation-papillon", autorises: tous, succes: .unprocessableContent, note: "unknown code") { _ in
                ("/api/v1/auth/activation-papillon", json(["identifiant": "x@test.fr", "code": "AAAA-BBBB-CCCC", "motDePasse": pw])) },
            Cas(methode: .post, modele: "/api/v1/auth/reinitialisation/demande", autorises: tous, succes: .accepted) { _ in
                ("/api/v1/auth/reinitialisation/demande", json(["identifiant": "personne-\(n)@test.fr"])) },
            Cas(methode: .post, modele: "/api/v1/auth/reinitialisation", autorises: tous, succes: .unprocessableContent, note: "unknown link") { _ in
                ("/api/v1/auth/reinitialisation", json(["jeton": "inconnu", "motDePasse": pw])) },
            Cas(methode: .get, modele: "/api/openapi.yaml", autorises: tous, succes: .ok) { _ in ("/api/openapi.yaml", nil) },
            Cas(methode: .post, modele: "/api/v1/auth/inscription", autorises: tous, succes: .accepted, note: "Grand Public account") { _ in
                let login = Passerelle.unique("gp")
                return ("/api/v1/auth/inscription", json(["identifiant": login, "nom": "Grand Public", "courriel": "\(login)@test.fr"])) },
            // Anyone signed in.
            Cas(methode: .get, modele: "/api/v1/auth/moi", autorises: connectes, succes: .ok) { _ in ("/api/v1/auth/moi", nil) },
            Cas(methode: .post, modele: "/api/v1/auth/deconnexion", autorises: connectes, succes: .noContent) { _ in
                ("/api/v1/auth/deconnexion", nil) },
            // Habilitations: admin and gestionnaire.
            Cas(methode: .get, modele: "/api/v1/comptes", autorises: [.admin, .gestionnaire], succes: .ok) { _ in ("/api/v1/comptes?taille=5", nil) },
            Cas(methode: .post, modele: "/api/v1/comptes", autorises: [.admin, .gestionnaire], succes: .created) { _ in
                ("/api/v1/comptes", json(["identifiant": "\(Passerelle.unique("m"))@test.fr", "nom": "Nouveau", "role": "correcteur", "habilitations": ["lot:\(lot1)"]])) },
            Cas(methode: .get, modele: "/api/v1/comptes/{id}", autorises: [.admin, .gestionnaire], succes: .ok) { _ in
                ("/api/v1/comptes/\(cible.id)", nil) },
            Cas(methode: .post, modele: "/api/v1/comptes/{id}/desactivation", autorises: [.admin, .gestionnaire], succes: .noContent) { _ in
                ("/api/v1/comptes/\(try await p.compte(.correcteur).id)/desactivation", nil) },
            Cas(methode: .post, modele: "/api/v1/comptes/{id}/desactivation", autorises: [.admin], succes: .noContent, note: "an admin account") { _ in
                ("/api/v1/comptes/\(try await p.compte(.admin).id)/desactivation", nil) },
            Cas(methode: .post, modele: "/api/v1/comptes/{id}/reinitialisation", autorises: [.admin, .gestionnaire], succes: .accepted) { _ in
                ("/api/v1/comptes/\(try await p.compte(.candidat, courriel: "\(Passerelle.unique("r"))@test.fr").id)/reinitialisation", nil) },
            Cas(methode: .get, modele: "/api/v1/audit", autorises: [.admin, .gestionnaire], succes: .ok) { _ in ("/api/v1/audit?taille=5", nil) },
            Cas(methode: .get, modele: "/api/v1/courriels", autorises: [.admin], succes: .ok) { _ in ("/api/v1/courriels?taille=5", nil) },
            // Papillons: a gestionnaire, or an établissement for its own UAI only. Past the gateway's
            // check, Inscription must confirm the numéros: down here, so 502 (PapillonTests has it up).
            Cas(methode: .post, modele: "/api/v1/papillons", autorises: [.gestionnaire, .etablissement], succes: .badGateway, note: "own UAI") { _ in
                ("/api/v1/papillons", json(["uai": u1, "candidats": [["identifiant": Passerelle.unique("p"), "nom": "Élève"]]])) },
            Cas(methode: .post, modele: "/api/v1/papillons", autorises: [.gestionnaire], succes: .badGateway, note: "another UAI") { _ in
                ("/api/v1/papillons", json(["uai": u2, "candidats": [["identifiant": Passerelle.unique("p"), "nom": "Élève"]]])) },
            // Aggregates.
            Cas(methode: .get, modele: "/api/v1/sessions/{code}/tableau-de-bord", autorises: [.admin, .gestionnaire], succes: .ok) { _ in
                ("/api/v1/sessions/BP-2027-06-N/tableau-de-bord", nil) },
            Cas(methode: .get, modele: "/api/v1/candidats/{id}/dossier", autorises: [.gestionnaire, .candidat], succes: .ok, note: "own file") { _ in
                ("/api/v1/candidats/\(c1)/dossier", nil) },
            Cas(methode: .get, modele: "/api/v1/candidats/{id}/dossier", autorises: [.gestionnaire], succes: .ok, note: "another candidate") { _ in
                ("/api/v1/candidats/\(c2)/dossier", nil) },
            // Forwarded: the gateway wants someone; the service applies its own rules.
            Cas(methode: .get, modele: "/api/v1/reglementation/{chemin}", autorises: [.admin, .gestionnaire], succes: .ok) { _ in
                ("/api/v1/reglementation/sessions?taille=1", nil) },
            Cas(methode: .get, modele: "/api/v1/evaluation/{chemin}", autorises: [.gestionnaire, .correcteur], succes: .ok, note: "own lot") { _ in
                ("/api/v1/evaluation/lots/\(lot1)/copies", nil) },
            Cas(methode: .get, modele: "/api/v1/evaluation/{chemin}", autorises: [.gestionnaire], succes: .ok, note: "another lot") { _ in
                ("/api/v1/evaluation/lots/\(lot2)/copies", nil) },
        ]

        let secrets = comptes.values.flatMap { [$0.login, $0.id] } + [publicCompte.login, "\"items\"", "jeton"]
        for unCas in cas {
            for appelant in Appelant.allCases {
                let (uri, body) = try await unCas.requete(appelant)
                // Logout revokes the token it is given: a throwaway session of the same account.
                let jeton = unCas.modele == "/api/v1/auth/deconnexion" && appelant != .anonyme
                    ? try await p.jeton(comptes[appelant]!) : jetons[appelant]
                let reponse = try await p.appel(unCas.methode, uri, jeton: jeton, json: body)
                let label = "\(unCas.methode) \(uri) \(unCas.note) as \(appelant)"
                if unCas.autorises.contains(appelant) {
                    #expect(reponse.status == unCas.succes, "\(label): \(reponse.texte)")
                } else {
                    let attendu: HTTPResponse.Status = appelant == .anonyme ? .unauthorized : .forbidden
                    #expect(reponse.status == attendu, "\(label): \(reponse.texte)")
                    let cles = Set(try reponse.objet.keys)
                    #expect(cles == ["code", "message"], "\(label): a refusal is a bare problem: \(reponse.texte)")
                    #expect(try [" auth.requise", " auth.refuse"].contains(" " + reponse.probleme.code), "\(label)")
                    #expect(!secrets.contains { reponse.texte.contains($0) }, "\(label) leaks: \(reponse.texte)")
                    #expect(reponse.headers[.setCookie] == nil, "\(label)")
                }
            }
        }

        // Every route of /api has its row in the matrix.
        let couverts = Set(cas.map { "\($0.methode.rawValue) \($0.modele)" })
        let routes = Set(try p.components.router().routes
            .filter { $0.path.description.hasPrefix("/api/") }
            .map { "\($0.method.rawValue) \(DocumentOpenAPI.normaliser($0.path.description))" })
        let forwardedOthers = routes.filter { route in
            ServiceDirectory.services.contains { route.contains("/api/v1/\($0)/{chemin}") }
        }
        #expect(routes.subtracting(forwardedOthers).subtracting(couverts).isEmpty,
                "routes without a case: \(routes.subtracting(forwardedOthers).subtracting(couverts).sorted())")

        // Every forwarded prefix and method is closed to anonymous callers, and open to a signed-in
        // one (here the services are down: the gateway says so rather than refusing).
        for route in forwardedOthers.sorted() {
            let parts = route.split(separator: " ")
            let method = HTTPRequest.Method(String(parts[0]))!
            let uri = parts[1].replacingOccurrences(of: "{chemin}", with: "quelque/chose")
            let anonyme = try await p.appel(method, uri, json: method == .get || method == .delete ? nil : "{}")
            #expect(anonyme.status == .unauthorized, "\(route)")
            #expect(try anonyme.probleme.code == "auth.requise")
            if !route.contains("/reglementation/") && !route.contains("/evaluation/") && (method == .get || route.contains("/inscription/")) {
                let connecte = try await p.appel(method, uri, jeton: jetons[.interrogateur], json: method == .get || method == .delete ? nil : "{}")
                #expect(connecte.status == .badGateway, "\(route): \(connecte.texte)")
                #expect(try connecte.probleme.code == "service.indisponible")
            }
        }

        // Refusals by the gateway are in the access audit.
        let admin = jetons[.admin]!
        let refus = try await p.audit(acteur: comptes[.correcteur]!.id, admin: admin).filter { $0.action == "refus" }
        #expect(refus.contains { $0.target == "GET /api/v1/comptes" && $0.outcome == "refus" && $0.detail == "auth.refuse" })
        #expect(refus.contains { $0.target == "POST /api/v1/papillons" })
    }
}
