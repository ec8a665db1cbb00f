import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

@Suite("Gateway forwarding to the services")
struct ForwardTests {
    @Test("/api/v1/reglementation/** reaches the live service as the caller: a gestionnaire opens a session, a candidat gets the service's 403")
    func reglementation() async throws {
        try await ServicesEnAval.reglementation { url in
            try await Passerelle.avec(services: ["reglementation": url]) { p in
                let gestionnaire = try await p.compte(.gestionnaire)
                let jeton = try await p.jeton(gestionnaire)
                let code = try await SessionsDeTest.reserver(annees: 2040...2099)
                let ouverte = try await p.appel(.post, "/api/v1/reglementation/sessions", jeton: jeton, json: Passerelle.json(
                    ["code": code, "academie": "A01", "libelle": "Session ouverte par la passerelle"]))
                #expect(ouverte.status == .created, "\(ouverte.texte)")
                #expect(ouverte.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(try ouverte.objet["ouvertePar"] as? String == gestionnaire.id, "the service saw the gestionnaire")

                let lue = try await p.appel(.get, "/api/v1/reglementation/sessions/\(code)", jeton: jeton)
                #expect(lue.status == .ok)
                #expect(try lue.objet["code"] as? String == code)
                let page = try await p.appel(.get, "/api/v1/reglementation/sessions?taille=1&page=1", jeton: jeton)
                #expect(try page.objet["taille"] as? Int == 1, "the query is forwarded: \(page.texte)")
                let invalide = try await p.appel(.post, "/api/v1/reglementation/sessions", jeton: jeton, json: #"{"code":"BP-2027-13-N","academie":"A01","libelle":"x"}"#)
                #expect(invalide.status == .unprocessableContent)
                #expect(try invalide.probleme.details?.first?.location == "code", "the service's problem is passed through")

                let candidat = try await p.jeton(try await p.compte(.candidat, habilitations: ["candidat:ine1"]))
                let refus = try await p.appel(.get, "/api/v1/reglementation/sessions", jeton: candidat)
                #expect(refus.status == .forbidden)
                #expect(try refus.probleme.code == "auth.refuse")
                #expect(!refus.texte.contains(code))
                let anonyme = try await p.appel(.get, "/api/v1/reglementation/sessions")
                #expect(anonyme.status == .unauthorized)
                #expect(try anonyme.probleme.code == "auth.requise")
            }
        }
    }

    @Test("the internal token names the caller, role and scopes; method, path, query and body go through unchanged")
    func internalToken() async throws {
        try await ServicesEnAval.evaluation { url in
            try await Passerelle.avec(services: ["evaluation": url]) { p in
                let correcteur = try await p.compte(.correcteur, habilitations: ["lot:L1", "lot:L2"])
                let jeton = try await p.jeton(correcteur)
                for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
                    let body = method == .get || method == .delete ? nil : #"{"note":1450}"#
                    let reponse = try await p.appel(method, "/api/v1/evaluation/appelant?lot=L1&x=%C3%A9", jeton: jeton, json: body)
                    #expect(reponse.status == .ok, "\(method): \(reponse.texte)")
                    let echo = try reponse.json(ServicesEnAval.Echo.self)
                    #expect(echo.sujet == correcteur.id)
                    #expect(echo.role == "correcteur")
                    #expect(echo.habilitations == ["lot:L1", "lot:L2"])
                    #expect(echo.methode == method.rawValue)
                    #expect(echo.chemin == "/v1/appelant")
                    #expect(echo.requete == "lot=L1&x=%C3%A9")
                    #expect(echo.corps == body)
                }
                #expect(try await p.appel(.get, "/api/v1/evaluation/lots/L2/copies", jeton: jeton).status == .ok)
                let autreLot = try await p.appel(.get, "/api/v1/evaluation/lots/L3/copies", jeton: jeton)
                #expect(autreLot.status == .forbidden)
                #expect(try autreLot.probleme.code == "auth.refuse")
            }
        }
    }

    @Test("an unknown prefix is 404; a service down is 502, one that does not answer is 504 after its timeout, one not deployed is 502")
    func failures() async throws {
        let muet = try PortsDeTest.Muet()
        try await Passerelle.avec(services: ["organisation": muet.url], timeouts: ["organisation": .milliseconds(500)]) { p in
            let jeton = try await p.jeton(try await p.compte(.gestionnaire))
            for uri in ["/api/v1/inconnu/sessions", "/api/v1/gateway/comptes", "/api/v2/reglementation/sessions"] {
                let reponse = try await p.appel(.get, uri, jeton: jeton)
                #expect(reponse.status == .notFound, "\(uri)")
            }
            let ferme = try await p.appel(.get, "/api/v1/inscription/candidats", jeton: jeton)
            #expect(ferme.status == .badGateway)
            #expect(try ferme.probleme.code == "service.indisponible")
            #expect(!ferme.texte.contains("127.0.0.1"), "no address in the message")

            let debut = ContinuousClock.now
            let silence = try await p.appel(.post, "/api/v1/organisation/salles", jeton: jeton, json: "{}")
            let duree = ContinuousClock.now - debut
            #expect(silence.status == .gatewayTimeout, "\(silence.texte)")
            #expect(try silence.probleme.code == "service.delai")
            // Waited for its own deadline, not the others' (60 s): a silent service never answers,
            // so the 504 itself shows that the deadline ended the wait.
            #expect(duree >= .milliseconds(400), "\(duree)")
        }
        // A directory without the service at all.
        var environment = try TestStack.environment("gateway")
        environment["CYCLADES_SERVICE_URLS"] = "reglementation=http://127.0.0.1:1"
        environment["CYCLADES_BCRYPT_COST"] = "4"
        let configuration = try GatewayConfiguration(environment: environment)
        #expect(configuration.serviceURLs["publication"] == nil)
        let directory = ServiceDirectory(urls: configuration.serviceURLs, client: .shared, tokens: await ServiceTokens(secrets: [:]),
                                         timeout: .seconds(1), logger: TestStack.logger("test"))
        await #expect(throws: ServiceDirectory.Failure.self) {
            _ = try await directory.call("publication", method: .get, path: "/v1/x", identity: nil)
        }
        #expect(ServiceDirectory.Failure.notDeployed("publication").serviceError.status == .badGateway)
        #expect(ServiceDirectory.Failure.notDeployed("publication").serviceError.code == "service.absent")
    }
}
