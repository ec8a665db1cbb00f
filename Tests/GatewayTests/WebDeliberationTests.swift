import Contracts
import Deliberation
import Domain
import Foundation
import Referentiel
import ServiceKit
import Storage
import Testing
import TestSupport
@testable import Gateway

/// The simulation page, through the gateway, against the real Délibération service on its own
/// schema (a session and its règlement in the service's copy, as its consumer writes them).
@Suite("Pages web : la simulation de délibération")
struct WebDeliberationTests {
    /// PATISSIER: U1 (coef 2), U2 (coef 1), the facultative UF.
    static func reglement(_ session: SessionCode) -> ReglementPublie {
        func unite(_ code: String, _ coefficient: Int?) -> Unite {
            Unite(code: code, libelle: "Unité \(code)", coefficient: coefficient, formes: [.ecrite], dureeMinutes: 60,
                  modes: Dictionary(uniqueKeysWithValues: CategorieCandidat.allCases.map { ($0, .ponctuel) }))
        }
        let patissier = Reglement(specialite: "PATISSIER", libelle: "Pâtissier", version: 1, reference: "test", epreuves: [
            Epreuve(code: "E1", libelle: "Pratique", coefficient: 2, unites: [unite("U1", 2)]),
            Epreuve(code: "E2", libelle: "Technologie", coefficient: 1, unites: [unite("U2", 1)]),
            Epreuve(code: "EF", libelle: "Facultative", facultative: true, coefficient: nil, unites: [unite("UF", nil)]),
        ])
        return ReglementPublie(session: session, academie: "A01", version: 1, publiePar: "test",
                               specialites: [SpecialiteOfferte(reglement: patissier, optionsOffertes: [])], piecesJustificatives: [])
    }

    @Test("choose a spécialité, type a situation, read the decision and its reasoning; errors beside the unit; roles")
    func simulation() async throws {
        let code = try await SessionsDeTest.reserver()
        let session = try SessionCode(code)
        try await AggregateSourcesTests.enService(DeliberationService.self, preparer: { database in
            let copie = ReferentielReglementation(database: database)
            try await database.transaction { connection in
                try await copie.enregistrer(AggregateSourcesTests.ouverte(code), on: connection)
                try await copie.enregistrer(Self.reglement(session), on: connection)
            }
        }) { deliberation in
            try await WebBanc.avec(services: ["deliberation": deliberation]) { banc in
                let gestionnaire = try await banc.compte(.gestionnaire)
                let navigateur = banc.navigateur()
                #expect(try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse).status == .seeOther)

                let page = try await navigateur.get("/deliberation/simulation?session=\(code)&specialite=PATISSIER")
                #expect(page.status == .ok, "\(page.texte)")
                #expect(page.texte.contains("Pâtissier — situation du candidat"))
                #expect(page.texte.contains(#"name="note.U1""#) && page.texte.contains(#"name="note.UF""#))
                let csrf = try #require(page.csrfField)

                let unites = ["U1", "U2", "UF"].map { ("unite", $0) }
                let admis = try await navigateur.post("/deliberation/simulation", [
                    ("session", code), ("specialite", "PATISSIER"), ("forme", "globale"), ("date", "2031-07-02"),
                    ("note.U1", "12"), ("note.U2", "7"), ("note.UF", ""),
                ] + unites, csrf: csrf)
                #expect(admis.status == .ok, "\(admis.texte)")
                // (12 × 2 + 7) / 3 = 10,333… shown truncated.
                #expect(admis.texte.contains("Décision : admis — moyenne 10,33"), "\(admis.texte)")
                #expect(admis.texte.contains("Moyenne : 31,00 points / 3"))

                let refus = try await navigateur.post("/deliberation/simulation", [
                    ("session", code), ("specialite", "PATISSIER"), ("forme", "globale"),
                    ("note.U1", "25"), ("note.U2", "7"),
                ] + unites, csrf: csrf)
                #expect(refus.status == .unprocessableContent)
                #expect(refus.texte.contains(#"id="erreur-U1""#), "the error is beside U1: \(refus.texte)")
                #expect(refus.texte.contains(#"value="25""#), "what was typed stays")
                #expect(!refus.texte.contains("Décision :"))

                let candidat = try await banc.compte(.candidat, habilitations: ["candidat:\(UUID().uuidString.lowercased())"])
                let autre = banc.navigateur()
                #expect(try await autre.connexion(candidat.login, WebBanc.motDePasse).status == .seeOther)
                #expect(try await autre.get("/deliberation/simulation").status == .forbidden)
            }
        }
    }

    @Test("the gestionnaire's deliberation page: preparation figures, a jury created by the form, répartition, opening; parity warned")
    func jurys() async throws {
        try await DeliberationEnAval.avec { aval in
            try await WebBanc.avec(services: ["deliberation": aval.url]) { banc in
                let gestionnaire = try await banc.compte(.gestionnaire)
                let navigateur = banc.navigateur()
                #expect(try await navigateur.connexion(gestionnaire.login, WebBanc.motDePasse).status == .seeOther)
                let page = try await navigateur.get("/deliberation/jurys?session=\(aval.session)")
                #expect(page.status == .ok, "\(page.texte)")
                #expect(page.texte.contains("3 candidat(s) sur 3 ont toutes leurs notes"))
                #expect(page.texte.contains("Aucun jury pour cette session."))
                let csrf = try #require(page.csrfField)

                let cree = try await navigateur.post("/deliberation/jurys", [
                    ("session", aval.session), ("code", "J01"), ("specialite", "PATISSIER"), ("president", "Mme Levain"),
                    ("date", "2031-07-02"), ("membres", "M. Blé ; enseignant\nM. Pain ; enseignant"),
                ], csrf: csrf)
                #expect(cree.status == .ok, "\(cree.texte)")
                #expect(cree.texte.contains("Jury J01 créé."))
                #expect(cree.texte.contains("devrait compter des enseignants et des professionnels"), "parity warned")
                let double = try await navigateur.post("/deliberation/jurys", [
                    ("session", aval.session), ("code", "J01"), ("specialite", "PATISSIER"), ("president", "Mme Levain"),
                ], csrf: csrf)
                #expect(double.status == .unprocessableContent && double.texte.contains("existe déjà"))

                // In preparation, its day, centre and composition change from the same page.
                let uaiCentre = AuthorizationMatrixTests.uai()
                let modifie = try await navigateur.post("/deliberation/jurys/modification", [
                    ("session", aval.session), ("code", "J01"), ("specialite", "PATISSIER"), ("president", "Mme Levain"),
                    ("date", "2031-07-03"), ("centre", uaiCentre), ("membres", "M. Blé ; enseignant\nMme Four ; professionnel"),
                ], csrf: csrf)
                #expect(modifie.texte.contains("Jury J01 modifié."), "\(modifie.texte)")
                #expect(modifie.texte.contains("03/07/2031") && modifie.texte.contains(#"value="\#(uaiCentre)""#))
                #expect(!modifie.texte.contains("devrait compter des enseignants et des professionnels"), "parity now kept")

                let repartis = try await navigateur.post("/deliberation/jurys/repartition", [("session", aval.session)], csrf: csrf)
                #expect(repartis.texte.contains("3 candidat(s) réparti(s)."), "\(repartis.texte)")
                let ouvert = try await navigateur.post("/deliberation/jurys/ouverture", [("session", aval.session), ("jury", "J01")], csrf: csrf)
                #expect(ouvert.texte.contains("Jury J01 ouvert."), "\(ouvert.texte)")

                // The président's sitting is his: the gestionnaire reads it, an établissement does not reach it.
                let seance = try await navigateur.get("/deliberation/seance?session=\(aval.session)&jury=J01")
                #expect(seance.status == .ok && seance.texte.contains("Jury J01 — PATISSIER"))
                #expect(!seance.texte.contains("Clore et signer"), "only the président closes")
                let pv = try await navigateur.get("/deliberation/pv?session=\(aval.session)&jury=J01")
                #expect(pv.status == .ok && pv.headers[.contentType] == "application/pdf")
                // The chef de centre lands on his centre's juries, and reaches no gestionnaire page.
                let chef = try await banc.compte(.chefCentre, habilitations: ["uai:\(AuthorizationMatrixTests.uai())"])
                let navigateurChef = banc.navigateur()
                #expect(try await navigateurChef.connexion(chef.login, WebBanc.motDePasse).location == "/centre-deliberation")
                let centre = try await navigateurChef.get("/centre-deliberation")
                #expect(centre.status == .ok && centre.texte.contains("Jurys de mon centre"))
                #expect(try await navigateurChef.get("/deliberation/jurys?session=\(aval.session)").status == .forbidden)
                #expect(try await navigateurChef.get("/deliberation/seance?session=\(aval.session)&jury=J01").status == .forbidden,
                        "J01 has no centre: not his")
                let etablissement = try await banc.compte(.etablissement, habilitations: ["uai:\(AuthorizationMatrixTests.uai())"])
                let autre = banc.navigateur()
                _ = try await autre.connexion(etablissement.login, WebBanc.motDePasse)
                #expect(try await autre.get("/deliberation/jurys?session=\(aval.session)").status == .forbidden)
                #expect(try await autre.get("/deliberation/seance?session=\(aval.session)&jury=J01").status == .forbidden)
            }
        }
    }
}
