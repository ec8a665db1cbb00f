import Foundation
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// Issue 13, must show: the projected sitting driven in headless Chromium at 1280×720 — no name,
/// birth date or INE in the page until the closing; keyboard navigation; a point de jury refused
/// without a reason, recorded with one; the closing reveals the names. The real gateway and the
/// real Délibération service, on live sockets of the test stack.
@Suite("Navigateur : la séance de délibération projetée")
struct BrowserDeliberationTests {
    @Test(
        "headless Chromium: anonymous until closing, keyboard, points de jury with and without a reason, closing",
        .enabled(if: DevToolsBrowser.executable != nil, "Debian's chromium is not installed (deploy/local/test installs it)"),
        .timeLimit(.minutes(4)))
    func seanceProjetee() async throws {
        try await DeliberationEnAval.avec { aval in
            try await Passerelle.avec(services: ["deliberation": aval.url], mode: .live) { p in
                let session = aval.session
                let api = "/api/v1/deliberation/sessions/\(session)/jurys"
                let gestionnaire = try await p.jeton(try await p.compte(.gestionnaire))
                let cree = try await p.appel(.post, api, jeton: gestionnaire, json: #"""
                    {"code": "J01", "specialite": "PATISSIER", "president": "Mme Levain", "date": "2031-07-02",
                     "membres": [{"nom": "M. Blé", "qualite": "enseignant"}, {"nom": "Mme Four", "qualite": "professionnel"}]}
                    """#)
                #expect(cree.status == .created, "\(cree.texte)")
                #expect(try await p.appel(.post, "\(api)/repartition", jeton: gestionnaire).status == .ok)
                #expect(try await p.appel(.post, "\(api)/J01/ouverture", jeton: gestionnaire, json: "{}").status == .ok)
                let president = try await p.compte(.presidentJury, habilitations: ["jury:\(session):J01"])

                let browser = try DevToolsBrowser(width: 1280, height: 720)
                defer { browser.stop() }
                do {
                    try await drive(browser, base: "http://127.0.0.1:\(p.client.port!)", login: president.login, session: session)
                } catch {
                    Issue.record("chromium:\n\(browser.log.suffix(3_000))")
                    throw error
                }
            }
        }
    }

    func drive(_ browser: DevToolsBrowser, base: String, login: String, session: String) async throws {
        try await browser.openPage()
        try await browser.navigate(base + "/connexion")
        _ = try await browser.evaluate("""
            document.getElementById('champ-identifiant').value = '\(login)';
            document.getElementById('champ-motDePasse').value = '\(Passerelle.motDePasse)';
            """)
        try await browser.whileNavigating { _ = try await browser.evaluate("document.querySelector('form button[type=submit]').click()") }
        #expect(try await browser.string("location.pathname") == "/jury")
        #expect(try await browser.string("document.querySelector('.carte__titre a').getAttribute('href')")
                == "/deliberation/seance?session=\(session)&jury=J01")

        // The projected screen: numéros only, best average first, the borderline case marked.
        try await browser.navigate(base + "/deliberation/seance?session=\(session)&jury=J01")
        let page = try await browser.string("document.body.innerText")
        for identite in DeliberationEnAval.identites {
            let jour = identite.naissance.split(separator: "-").reversed().joined(separator: "/")
            for trace in [identite.nom, identite.prenoms, identite.naissance, jour, identite.ine] {
                #expect(!page.contains(trace), "\(trace) on the projected screen before closing")
            }
        }
        #expect(try await browser.string("document.documentElement.outerHTML").contains("Martin") == false)
        #expect(try await browser.evaluate("document.querySelectorAll('#candidats tbody tr').length") as? Int == 3)
        #expect(try await browser.string("document.querySelector('#candidats tbody tr th a').textContent") == "N1")
        #expect(try await browser.evaluate("document.querySelectorAll('.projection__ligne--limite').length") as? Int == 1)
        let taille = try await browser.string("getComputedStyle(document.querySelector('.projection')).fontSize")
        #expect((Double(taille.dropLast(2)) ?? 0) >= 20, "large type for the projector: \(taille)")
        try await screenshot(browser, "1-seance-anonyme")

        // The keyboard: down, down, Enter opens N2's detail.
        try await browser.press("ArrowDown", keyCode: 40)
        #expect(try await browser.string("document.activeElement.textContent") == "N1")
        try await browser.press("ArrowDown", keyCode: 40)
        #expect(try await browser.string("document.activeElement.textContent") == "N2")
        try await browser.whileNavigating { try await browser.press("Enter", keyCode: 13, text: "\r") }
        #expect(try await browser.string("location.search").contains("candidat=N2"))
        #expect(try await browser.string("document.getElementById('titre-detail').textContent").hasPrefix("Candidat N2 : ajourné"))

        // A point de jury without a reason is refused, and changes nothing.
        _ = try await browser.evaluate("document.getElementById('unite').value = 'U1'; document.getElementById('note').value = '10,5';")
        try await browser.whileNavigating { _ = try await browser.evaluate("document.getElementById('note').form.submit()") }
        #expect(try await browser.string("document.getElementById('resume-erreurs').textContent").contains("motif"))
        #expect(try await browser.string("document.getElementById('titre-detail').textContent").contains("ajourné"))
        // With its reason: N2 is admis (10,5 × 2 + 9 = 30 → 10,00).
        _ = try await browser.evaluate("""
            document.getElementById('unite').value = 'U1'; document.getElementById('note').value = '10,5';
            document.getElementById('motif').value = 'Travail de l’année remarquable';
            """)
        try await browser.whileNavigating { _ = try await browser.evaluate("document.getElementById('note').form.submit()") }
        #expect(try await browser.string("document.querySelector('.notice--succes').textContent").contains("enregistrée"))
        #expect(try await browser.string("document.getElementById('titre-detail').textContent").hasPrefix("Candidat N2 : admis, moyenne 10,00"))
        let interventions = try await browser.evaluate(
            "Array.from(document.querySelectorAll('#candidats tbody tr')).map(function (tr) { return tr.cells[5].textContent; })") as? [String]
        #expect(interventions == ["", "U1", ""], "the jury's column names only what the jury did")
        try await screenshot(browser, "2-points-de-jury")

        // Closing: the confirmation is required; then the names appear.
        _ = try await browser.evaluate("document.getElementById('confirmation').checked = true")
        try await browser.whileNavigating { _ = try await browser.evaluate("document.getElementById('confirmation').form.submit()") }
        #expect(try await browser.string("document.querySelector('.notice--succes').textContent").contains("Jury clos : 3 candidat(s), 2 admis"))
        #expect(try await browser.string("document.body.innerText").contains("Martin Léa"))
        try await screenshot(browser, "3-jury-clos")

        let errors = browser.logErrors().filter {
            !$0.contains("favicon") && !($0.contains("the server responded with a status of") && !$0.contains("/static/"))
        }
        #expect(errors.isEmpty, "the browser complained: \(errors)")
    }

    func screenshot(_ browser: DevToolsBrowser, _ name: String) async throws {
        try FileManager.default.createDirectory(at: BrowserTests.artefacts, withIntermediateDirectories: true)
        try await browser.screenshot(to: BrowserTests.artefacts.appendingPathComponent("deliberation-\(name).png"), fullPage: false)
    }
}
