import Domain
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// The gestionnaire's Réglementation pages on a live Réglementation service: step buttons and
/// timeline, refusals in French, règlements of the pilot, import errors, centres by role.
@Suite("Pages web : réglementation", .serialized)
struct WebReglementationTests {
    /// Calls the Réglementation service directly as `subject` (gestionnaire) to set up data.
    static func appel(_ base: String, _ method: String, _ path: String, subject: String, json: String? = nil) async throws -> (Int, String) {
        guard let secret = try TestStack.environment("reglementation")["CYCLADES_INTERNAL_TOKEN_SECRET"] else {
            throw TestStackError("no internal token secret")
        }
        let jeton = try await InternalTokenAuthority(secret: secret, audience: "reglementation").sign(InternalIdentity(subject: subject, role: .gestionnaire))
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(jeton)", forHTTPHeaderField: "Authorization")
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// A session code no other test uses, opened on the service.
    static func nouvelleSession(_ base: String, subject: String) async throws -> String {
        let code = try await SessionsDeTest.reserver(annees: 2040...2099)
        let (status, texte) = try await appel(
            base, "POST", "/v1/sessions", subject: subject,
            json: #"{"code":"\#(code)","academie":"A01","libelle":"Session des pages web"}"#)
        guard status == 201 else { throw TestStackError("session not created: \(texte)") }
        return code
    }

    static func connecte(_ banc: WebBanc) async throws -> (WebNavigateur, Account) {
        let gestionnaire = try await banc.compte(.gestionnaire, nom: "Dominique Pilote")
        let navigateur = banc.navigateur()
        let connexion = try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse)
        try #require(connexion.status == .seeOther)
        return (navigateur, gestionnaire)
    }

    @Test("the session page: a button per step, the timeline, a French refusal naming the missing step, 303 after opening")
    func etapes() async throws {
        try await ServicesEnAval.reglementation { reglementation in
            try await WebBanc.avec(services: ["reglementation": reglementation]) { banc in
                let (navigateur, gestionnaire) = try await Self.connecte(banc)
                let code = try await Self.nouvelleSession(reglementation, subject: gestionnaire.id.uuidString)

                let page = try await navigateur.get("/gestionnaire/sessions/\(code)")
                #expect(page.status == .ok)
                let html = page.texte
                #expect(html.contains(#"action="/gestionnaire/sessions/\#(code)/services/reglementation/ouverture""#))
                #expect(html.contains(#"aria-label="Ouvrir le service Réglementation">Ouvrir</button>"#))
                #expect(html.contains(#"<h2 id="titre-historique">Historique de la session</h2>"#))
                #expect(html.contains("Session ouverte"))
                #expect(html.contains("par Dominique Pilote"))
                #expect(html.contains(#"<th scope="col">Action</th>"#))

                // Out of order: the refusal names the step that is missing.
                let csrf = try await navigateur.csrf()
                let refus = try await navigateur.post(
                    "/gestionnaire/sessions/\(code)/services/inscription_etablissement/ouverture", [], csrf: csrf)
                #expect(refus.status == .unprocessableContent || refus.status == .conflict)
                #expect(refus.texte.contains(#"role="alert""#))
                #expect(refus.texte.contains("Le service « Inscription établissement » n&#39;a pas été ouvert.")
                    || refus.texte.contains("Le service « Inscription établissement » n'a pas été ouvert."))
                #expect(refus.texte.contains("réglementation » doit d"), "\(refus.texte.prefix(4000))")

                // Without the CSRF token: refused.
                let sansJeton = try await navigateur.post("/gestionnaire/sessions/\(code)/services/reglementation/ouverture", [])
                #expect(sansJeton.status == .forbidden)

                let ouvert = try await navigateur.post("/gestionnaire/sessions/\(code)/services/reglementation/ouverture", [], csrf: csrf)
                #expect(ouvert.status == .seeOther)
                #expect(ouvert.location == "/gestionnaire/sessions/\(code)#titre-services")
                let apres = try await navigateur.get("/gestionnaire/sessions/\(code)").texte
                #expect(apres.contains(#"action="/gestionnaire/sessions/\#(code)/services/reglementation/fermeture""#))
                #expect(apres.contains(#"<span class="chronologie__etape">Réglementation</span>"#))
                let session = try #require(apres.range(of: "Session ouverte"))
                let etape = try #require(apres.range(of: #"<span class="chronologie__etape">Réglementation</span>"#))
                #expect(session.lowerBound < etape.lowerBound, "oldest first")
            }
        }
    }

    @Test("the pilot: imported through the form, listed, its règlement a readable table with coefficients and modes")
    func reglements() async throws {
        try await ServicesEnAval.reglementation { reglementation in
            try await WebBanc.avec(services: ["reglementation": reglementation]) { banc in
                let (navigateur, _) = try await Self.connecte(banc)
                let fichier = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("Services/Reglementation/Pilote/pilote-national.yaml")
                let pilote = try String(contentsOf: fichier, encoding: .utf8)
                let formulaire = try await navigateur.get("/gestionnaire/reglements/import")
                #expect(formulaire.status == .ok)
                #expect(formulaire.texte.contains(#"<textarea class="champ__saisie champ__saisie--code" id="champ-contenu" name="contenu""#))
                let importe = try await navigateur.post("/gestionnaire/reglements/import", [("contenu", pilote)], csrf: try await navigateur.csrf())
                #expect(importe.status == .seeOther, "\(importe.texte.prefix(3000))")
                let rapport = try await navigateur.get(try #require(importe.location))
                #expect(rapport.texte.contains(#"<a href="/gestionnaire/reglements/BOULANGER">BOULANGER</a>"#))
                #expect(rapport.texte.contains("Importée") || rapport.texte.contains("Inchangée"))

                let liste = try await navigateur.get("/gestionnaire/reglements?q=boulang")
                #expect(liste.status == .ok)
                #expect(liste.texte.contains(#"<a href="/gestionnaire/reglements/BOULANGER">BOULANGER</a>"#))
                #expect(liste.texte.contains(#"aria-current="page">Règlements</a>"#))

                let page = try await navigateur.get("/gestionnaire/reglements/BOULANGER")
                #expect(page.status == .ok)
                let html = page.texte
                #expect(html.contains("<caption>Épreuves et unités du BP Boulanger"))
                #expect(html.contains(#"<th scope="rowgroup" colspan="8">E1 — Fabrication d&#39;une commande <span class="reglement__coefficient">(coefficient 12)</span>"#)
                    || html.contains(#"E1 — Fabrication d'une commande <span class="reglement__coefficient">(coefficient 12)</span>"#))
                #expect(html.contains(#"<th scope="row">U10</th>"#))
                #expect(html.contains("<td>écrite, pratique</td>"))
                #expect(html.contains("<td>12 h</td>"))
                #expect(html.contains("(coefficient 6)"), "E4 = E41 + E42")
                #expect(html.contains("<td>E41</td>"))
                #expect(html.contains("CCF : apprentis de CFA habilité"))
                #expect(html.contains("Épreuve facultative"))
                #expect(html.contains("0,25 point (ponctuel), 0,5 point (CCF)"))

                #expect(try await navigateur.get("/gestionnaire/reglements/PASUNESPECIALITE").status == .notFound)
            }
        }
    }

    @Test("a broken pilot file: nothing imported, every error in a table with its place")
    func importCasse() async throws {
        try await ServicesEnAval.reglementation { reglementation in
            try await WebBanc.avec(services: ["reglementation": reglementation]) { banc in
                let (navigateur, _) = try await Self.connecte(banc)
                let casse = """
                format: 1
                specialites:
                  - code: PAGESCASSEES
                    libelle: Pages cassées
                    version: 1
                    epreuves:
                      - code: E1
                        libelle: Épreuve
                        unites:
                          - code: U1
                            libelle: Unité
                            coefficient: -2
                            formes: [chantee]
                """
                let reponse = try await navigateur.post("/gestionnaire/reglements/import", [("contenu", casse)], csrf: try await navigateur.csrf())
                #expect(reponse.status == .unprocessableContent)
                let html = reponse.texte
                #expect(html.contains("Rien n&#39;a été importé.") || html.contains("Rien n'a été importé."))
                #expect(html.contains(#"<table class="tableau tableau--serre" id="erreurs-import">"#))
                let lignes = html.components(separatedBy: #"<tr><th scope="row" class="coupable">"#).count - 1
                #expect(lignes >= 2, "\(html)")
                #expect(html.contains("ligne"))
                #expect(html.contains("PAGESCASSEES"), "the YAML stays in the textarea")
            }
        }
    }

    @Test("the centres of a session: filtered by role, searched by name or UAI, linked to the établissement")
    func centres() async throws {
        try await ServicesEnAval.reglementation { reglementation in
            try await WebBanc.avec(services: ["reglementation": reglementation]) { banc in
                let (navigateur, gestionnaire) = try await Self.connecte(banc)
                let sujet = gestionnaire.id.uuidString
                let code = try await Self.nouvelleSession(reglementation, subject: sujet)
                var uais: [String] = []
                for (nom, role) in [("Lycée Correcteur \(UUID().uuidString.prefix(6))", "correction"), ("CFA Inscripteur \(UUID().uuidString.prefix(6))", "inscription")] {
                    let chiffres = String(format: "%07d", Int.random(in: 0...9_999_999))
                    let uai = chiffres + String(UAI.checkLetter(for: chiffres)!)
                    let fiche = #"{"uai":"\#(uai)","nom":"\#(nom)","adresse":"1 rue des Tests","codePostal":"75005","commune":"Paris","secteur":"public","habilitationCFA":true}"#
                    let (cree, texte) = try await Self.appel(reglementation, "POST", "/v1/etablissements", subject: sujet, json: fiche)
                    try #require(cree == 201, "\(texte)")
                    let (declare, texte2) = try await Self.appel(
                        reglementation, "PUT", "/v1/sessions/\(code)/centres/\(uai)", subject: sujet, json: #"{"roles":["\#(role)"]}"#)
                    try #require(declare == 201, "\(texte2)")
                    uais.append(uai)
                }
                let tous = try await navigateur.get("/gestionnaire/sessions/\(code)/centres")
                #expect(tous.status == .ok)
                #expect(tous.texte.contains("<caption>2 centre(s) trouvé(s)</caption>"))
                #expect(tous.texte.contains(#"<a href="/gestionnaire/etablissements/\#(uais[0])">"#))

                let correction = try await navigateur.get("/gestionnaire/sessions/\(code)/centres?role=correction")
                #expect(correction.texte.contains("<caption>1 centre(s) trouvé(s)</caption>"))
                #expect(correction.texte.contains(uais[0]) && !correction.texte.contains(uais[1]))
                #expect(correction.texte.contains(#"<option value="correction" selected>Centre de correction</option>"#))
                #expect(correction.texte.contains("<td>Centre de correction</td>"))

                let parNom = try await navigateur.get("/gestionnaire/sessions/\(code)/centres?q=inscripteur")
                #expect(parNom.texte.contains(uais[1]) && !parNom.texte.contains(uais[0]))
                let parUAI = try await navigateur.get("/gestionnaire/sessions/\(code)/centres?q=\(uais[0])")
                #expect(parUAI.texte.contains("<caption>1 centre(s) trouvé(s)</caption>") && parUAI.texte.contains(uais[0]))

                let etablissement = try await navigateur.get("/gestionnaire/etablissements/\(uais[0])")
                #expect(etablissement.status == .ok)
                #expect(etablissement.texte.contains("1 rue des Tests, 75005 Paris"))
            }
        }
    }
}
