import Foundation
import ServiceKit
import Testing
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real browser on the real services: `cyclades-gateway serve` and `cyclades-reglementation
/// serve` as processes on the test stack, a gestionnaire made with `cyclades-gateway
/// compte-initial`, and Debian's headless Chromium driven through the DevTools protocol
/// (`DevToolsBrowser`) — it logs in with the keyboard, reaches the dashboard with real sessions,
/// opens a session, logs out. Screenshots go to `.build/test-artefacts/`.
@Suite("Navigateur : un gestionnaire se connecte et atteint son tableau de bord")
struct BrowserTests {
    static let artefacts = TestStack.repositoryDirectory.appendingPathComponent(".build/test-artefacts")

    @Test(
        "headless Chromium: login page, a wrong password, the dashboard, a session, logout",
        .enabled(if: DevToolsBrowser.executable != nil, "Debian's chromium is not installed (deploy/local/test installs it)"),
        .timeLimit(.minutes(4)))
    func gestionnaireReachesTheDashboard() async throws {
        let gatewayBinary = TestStack.binDirectory.appendingPathComponent("cyclades-gateway")
        let reglementationBinary = TestStack.binDirectory.appendingPathComponent("cyclades-reglementation")
        for binary in [gatewayBinary, reglementationBinary] {
            try #require(FileManager.default.isExecutableFile(atPath: binary.path),
                         "no \(binary.path): build the products first (`swift build --build-tests`, as deploy/local/test does)")
        }
        try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)

        // The réglementation service, and a session of its own for the dashboard to show.
        var reglementationEnvironment = try TestStack.environment("reglementation")
        let reglementationPort = try TestStack.freePort()
        reglementationEnvironment["CYCLADES_HTTP_PORT"] = "\(reglementationPort)"
        let reglementation = try ChildProcess(reglementationBinary, ["serve"], environment: reglementationEnvironment)
        defer { reglementation.stop() }

        var gatewayEnvironment = try TestStack.environment("gateway")
        let gatewayPort = try TestStack.freePort()
        gatewayEnvironment["CYCLADES_HTTP_PORT"] = "\(gatewayPort)"
        gatewayEnvironment["CYCLADES_BCRYPT_COST"] = "4"
        // Every suite runs at once on two cores: a live service may take seconds to answer.
        gatewayEnvironment["CYCLADES_SERVICE_TIMEOUT_MS"] = "60000"
        gatewayEnvironment["CYCLADES_SERVICE_URLS"] = "reglementation=http://127.0.0.1:\(reglementationPort)"
        let gateway = try ChildProcess(gatewayBinary, ["serve"], environment: gatewayEnvironment)
        defer { gateway.stop() }

        do {
            try await BrowserFixtures.waitHealthy(port: reglementationPort, process: reglementation)
            try await BrowserFixtures.waitHealthy(port: gatewayPort, process: gateway)
        } catch {
            Issue.record("réglementation:\n\(reglementation.errors.suffix(3_000))\ngateway:\n\(gateway.errors.suffix(3_000))")
            throw error
        }
        let secret = try #require(reglementationEnvironment["CYCLADES_INTERNAL_TOKEN_SECRET"])
        let code = try await BrowserFixtures.openSession(port: reglementationPort, secret: secret, libelle: "Session du navigateur")

        // The gestionnaire, made by the command line as an installation's first accounts are.
        let login = "web.navigateur.\(UInt32.random(in: 0...UInt32.max))"
        let password = "Navigateur-Gestion-2027!"
        let create = try ChildProcess(
            gatewayBinary, ["compte-initial", "--identifiant", login, "--nom", "Hélène Navigatrice", "--role", "gestionnaire", "--mot-de-passe-stdin"],
            environment: gatewayEnvironment, input: password + "\n")
        let status = try await create.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "compte-initial: \(create.output) \(create.errors.suffix(2_000))")

        let browser = try DevToolsBrowser()
        defer { browser.stop() }
        do {
            try await drive(browser, base: "http://127.0.0.1:\(gatewayPort)", login: login, password: password, code: code)
        } catch {
            Issue.record("chromium:\n\(browser.log.suffix(3_000))\ngateway:\n\(gateway.errors.suffix(3_000))")
            throw error
        }
    }

    func drive(_ browser: DevToolsBrowser, base: String, login: String, password: String, code: String) async throws {
        try await browser.openPage()

        // The login page, in French, styled by the stylesheet (allowed by the CSP).
        try await browser.navigate(base + "/connexion")
        #expect(try await browser.string("document.documentElement.lang") == "fr")
        #expect(try await browser.string("document.title") == "Connexion — Cyclades BP")
        #expect(try await browser.string("getComputedStyle(document.querySelector('.entete__nom')).color") == "rgb(0, 0, 145)",
                "the stylesheet applies")
        try await screenshot(browser, "1-connexion")

        // The keyboard: the first Tab reaches the skip link; the fields are typed into, Tab moves
        // from one to the next, Enter submits.
        try await browser.press("Tab", keyCode: 9)
        #expect(try await browser.string("document.activeElement.textContent") == "Aller au contenu")
        _ = try await browser.evaluate("document.getElementById('champ-identifiant').focus()")
        try await browser.type(login)
        try await browser.press("Tab", keyCode: 9)
        #expect(try await browser.string("document.activeElement.id") == "champ-motDePasse")
        try await browser.type("Pas-Le-Bon-Mot-1")
        try await browser.whileNavigating { try await browser.press("Enter", keyCode: 13, text: "\r") }

        #expect(try await browser.string("document.title") == "Erreur : connexion — Cyclades BP")
        #expect(try await browser.string("document.getElementById('champ-motDePasse-erreur').textContent")
                == "Erreur : Identifiant ou mot de passe incorrect.")
        #expect(try await browser.string("document.getElementById('champ-motDePasse').getAttribute('aria-invalid')") == "true")
        #expect(try await browser.string("document.getElementById('champ-identifiant').value") == login)
        try await screenshot(browser, "2-connexion-erreur")

        _ = try await browser.evaluate("document.getElementById('champ-motDePasse').focus()")
        try await browser.type(password)
        try await browser.whileNavigating { try await browser.press("Enter", keyCode: 13, text: "\r") }

        // The dashboard, with the sessions of the real réglementation service.
        #expect(try await browser.string("location.pathname") == "/gestionnaire")
        #expect(try await browser.string("document.querySelector('h1').textContent") == "Tableau de bord")
        #expect(try await browser.string("document.querySelector('.entete__nom-utilisateur').textContent") == "Hélène Navigatrice")
        #expect(try await browser.string("document.querySelector('[aria-current=page]').textContent") == "Tableau de bord")
        let rows = try await browser.evaluate("document.querySelectorAll('table.tableau tbody tr th a').length") as? Int ?? 0
        #expect(rows > 0, "sessions listed")
        let notice = try await browser.string("document.querySelector('.notice--alerte')?.textContent ?? ''")
        #expect(notice.isEmpty, "réglementation answered: \(notice)")
        try await screenshot(browser, "3-tableau-de-bord")

        // A session's dashboard: réglementation's part is there, the others (not deployed) are named.
        try await browser.navigate(base + "/gestionnaire/sessions/\(code)")
        #expect(try await browser.string("document.querySelector('h1').textContent") == "Session \(code)")
        #expect(try await browser.string("document.querySelector('.chapeau').textContent") == "Session du navigateur")
        #expect(try await browser.string("document.querySelector('.notice--alerte').textContent").contains("Inscriptions (service inscription : non déployé)"))
        let steps = try await browser.evaluate("document.querySelectorAll('#titre-services ~ div table tbody tr').length") as? Int ?? 0
        #expect(steps == 8, "the eight step services of the session")
        try await screenshot(browser, "4-session")

        // Logout, with the header's button.
        try await browser.whileNavigating {
            _ = try await browser.evaluate("document.querySelector('.entete__deconnexion button').click()")
        }
        #expect(try await browser.string("location.pathname + location.search") == "/connexion?deconnecte=1")
        #expect(try await browser.string("document.querySelector('.notice').textContent.trim()") == "Vous êtes déconnecté.")

        // A re-rendered form answers 401/422 on purpose (Chromium logs the document's status);
        // any other complaint — a refused stylesheet, a CSP violation — is a failure.
        let errors = browser.logErrors().filter {
            !$0.contains("favicon") && !($0.contains("the server responded with a status of") && !$0.contains("/static/"))
        }
        #expect(errors.isEmpty, "the browser complained: \(errors)")
    }

    func screenshot(_ browser: DevToolsBrowser, _ name: String) async throws {
        let file = Self.artefacts.appendingPathComponent("navigateur-\(name).png")
        try await browser.screenshot(to: file)
        print("screenshot: \(file.path)")
    }
}
