import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// The grader's entry page and the API its script saves each cell through.
@Suite("Pages web : la saisie des notes")
struct WebEvaluationTests {
    @Test("the entry page's autosave URL (data-api, as its script posts it) reaches the evaluation service's /v1/lots/{id}/notes")
    func autosave() async throws {
        try await ServicesEnAval.evaluation { url in
            try await WebBanc.avec(services: ["evaluation": url]) { banc in
                let correcteur = try await banc.compte(.correcteur, habilitations: ["lot:L-7"])
                let navigateur = banc.navigateur()
                #expect(try await navigateur.connexion(correcteur.login, WebBanc.motDePasse).location == "/correcteur")

                let page = try await navigateur.get("/correcteur/lots/L-7")
                #expect(page.status == .ok, "\(page.texte)")
                let api = try #require(Self.attribut("data-api", dans: page.texte), "\(page.texte)")
                #expect(api == "/api/v1/evaluation/lots/L-7/notes")

                // The script posts to its form's `data-api`, waiting up to 5 s for the worker.
                let script = try await navigateur.get("/static/evaluation-saisie.js")
                #expect(script.status == .ok)
                #expect(script.texte.contains(#"var api = form.getAttribute("data-api");"#))
                #expect(script.texte.contains(#"fetch(api + "?attendre=5000", {"#))

                let corps = #"{"notes":[{"copie":"A-001","note":"12,5"}]}"#
                let reponse = try await navigateur.postJSON(api + "?attendre=5000", corps)
                #expect(reponse.status == .ok, "\(reponse.texte)")
                let echo = try JSONDecoder().decode(ServicesEnAval.Echo.self, from: Data(reponse.texte.utf8))
                #expect(echo.chemin == "/v1/lots/L-7/notes")
                #expect(echo.requete == "attendre=5000")
                #expect(echo.methode == "POST")
                #expect(echo.sujet == correcteur.id.uuidString.lowercased())
                #expect(echo.corps == corps)

                // Another grader's lot stays refused by the service, through the same URL shape.
                let autre = try await navigateur.postJSON("/api/v1/evaluation/lots/L-8/notes?attendre=5000", corps)
                #expect(autre.status == .forbidden)
            }
        }
    }

    /// The value of the first `name="…"` attribute in `html` (no entity in it here).
    static func attribut(_ name: String, dans html: String) -> String? {
        guard let debut = html.range(of: "\(name)=\"") else { return nil }
        return String(html[debut.upperBound...].prefix { $0 != "\"" })
    }
}
