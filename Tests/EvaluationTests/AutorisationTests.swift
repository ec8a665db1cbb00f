import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing
import TestSupport
@testable import Evaluation

@Suite("Who may read and write which lot")
struct AutorisationTests {
    @Test("a grader cannot read or write another lot, even with its scope but without the assignment")
    func autreLot() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 4)
            let lots = try await banc.lots(taille: 2)
            let correcteurs = try await banc.correcteurs(lots)
            let (a, b) = (correcteurs[0], correcteurs[1])
            let copiesB = try await banc.copies(b.lot)
            for (method, chemin) in [(HTTPMethodeDeTest.get, "/v1/lots/\(b.lot)"), (.get, "/v1/lots/\(b.lot)/copies"),
                                     (.get, "/v1/lots/\(b.lot)/bordereau.pdf")] {
                let reponse = try await banc.comme(a, method.methode, chemin)
                #expect(reponse.status == .forbidden, "\(chemin)")
                #expect(try reponse.probleme.message == "Accès refusé : ce lot ne vous est pas attribué.")
            }
            let ecriture = try await banc.comme(a, .post, "/v1/lots/\(b.lot)/notes?attendre=3000", json: Banc.corpsNotes([(copiesB[0], "10")]))
            #expect(ecriture.status == .forbidden)
            #expect(try await banc.comme(a, .post, "/v1/lots/\(b.lot)/verrouillage").status == .forbidden)
            // The scope of lot B without being its grader (a forged or stale habilitation).
            let usurpateur = Banc.Correcteur(sujet: a.sujet, lot: b.lot)
            #expect(try await banc.comme(usurpateur, .get, "/v1/lots/\(b.lot)").status == .forbidden)
            #expect(try await banc.comme(usurpateur, .post, "/v1/lots/\(b.lot)/notes", json: Banc.corpsNotes([(copiesB[0], "10")])).status == .forbidden)
            // The grader of B without B's scope.
            #expect(try await banc.appel(.get, "/v1/lots/\(b.lot)", .correcteur, scopes: ["lot:\(a.lot.uuidString.lowercased())"], sujet: b.sujet).status == .forbidden)
            // His own lot: yes.
            #expect(try await banc.comme(a, .get, "/v1/lots/\(a.lot)").status == .ok)
            struct Liste: Decodable { var items: [Lot] }
            let mesLots = try await banc.comme(a, .get, "/v1/correcteurs/moi/lots").json(Liste.self).items
            #expect(mesLots.map(\.id) == [a.lot])
            #expect(try await banc.database.count("notes", where: "lot = '\(b.lot)'") == 0)
            // Nobody else's grades, and no organisation of grading for a grader.
            #expect(try await banc.comme(a, .get, "/v1/sessions/\(banc.session)/suivi").status == .forbidden)
            #expect(try await banc.comme(a, .get, "/v1/sessions/\(banc.session)/decharge.csv").status == .forbidden)
            #expect(try await banc.comme(a, .post, "/v1/sessions/\(banc.session)/unites/U20/lots", json: #"{"taille":2}"#).status == .forbidden)
        }
    }

    @Test("nothing a grader sees names a candidate (numéros d'anonymat only) nor another grader")
    func anonymat() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 6)
            let lots = try await banc.lots(taille: 3)
            let correcteurs = try await banc.correcteurs(lots)
            let a = correcteurs[0]
            let copies = try await banc.copies(a.lot)
            _ = try await banc.comme(a, .post, "/v1/lots/\(a.lot)/notes?attendre=10000", json: Banc.corpsNotes(copies.map { ($0, "10") }))
            let lot = try await banc.comme(a, .get, "/v1/lots/\(a.lot)")
            let liste = try await banc.comme(a, .get, "/v1/lots/\(a.lot)/copies")
            let miens = try await banc.comme(a, .get, "/v1/correcteurs/moi/lots")
            let autorises: Set<String> = [
                "id", "session", "unite", "epreuve", "specialite", "numero", "nature", "commission", "centre", "jour", "pas", "ouvert",
                "verrouille", "verrouillePar", "copies", "saisies", "correcteurs", "sujet", "nom", "items", "note", "affichage",
                "revision", "absence",
            ]
            for reponse in [lot, liste, miens] {
                #expect(reponse.status == .ok)
                let cles = Self.cles(try JSONSerialization.jsonObject(with: Data(buffer: reponse.corps)))
                #expect(cles.isSubset(of: autorises), "unexpected fields: \(cles.subtracting(autorises))")
                for interdit in ["ine", "nomFamille", "prenoms", "dateNaissance", "candidat", "candidature", "numeroCandidat"] {
                    #expect(!cles.contains(interdit))
                }
                #expect(!reponse.texte.contains(correcteurs[1].sujet), "another grader's account")
            }
            let texte = try await PDF.texte(Array(buffer: try await banc.comme(a, .get, "/v1/lots/\(a.lot)/bordereau.pdf").corps))
            #expect(texte.contains("aucune identité de candidat"))
            #expect(!texte.contains("Correcteur 2"))
            // The copy's identity never reached this service: its tables have no such column.
            let colonnes = try await banc.database.query(SQL.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = $1", banc.database.schema))
            for try await colonne in colonnes.decode(String.self) {
                #expect(!["ine", "nom_famille", "prenoms", "date_naissance", "candidature", "numero_candidat"].contains(colonne))
            }
        }
    }

    @Test("établissement: its CCF lot yes, a lot it does not host or a written lot no; collection closed refused; gestionnaire's report allowed")
    func etablissementEtGestionnaire() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(unite: "U40", copies: 3, centre: banc.etablissement, mode: .ccf, pas: 50)
            try await banc.anonymats(copies: 3)
            let ccf = try await banc.lots(unite: "U40", taille: 10)
            #expect(ccf.map(\.nature) == ["ccf"])
            #expect(ccf.first?.centre == banc.etablissement)
            let ecrits = try await banc.lots(taille: 10)
            _ = try await banc.correcteurs(ccf + ecrits)
            let copiesCCF = try await banc.copies(ccf[0].id)
            let scopes: Set<String> = ["uai:\(banc.etablissement)"]
            let ok = try await banc.appel(.post, "/v1/lots/\(ccf[0].id)/notes?attendre=10000", .etablissement, scopes: scopes, sujet: "etab",
                                          json: Banc.corpsNotes([(copiesCCF[0], "12,5"), (copiesCCF[1], "14")]))
            #expect(ok.status == .ok, "\(ok.texte)")
            let quart = try await banc.appel(.post, "/v1/lots/\(ccf[0].id)/notes", .etablissement, scopes: scopes, sujet: "etab",
                                             json: Banc.corpsNotes([(copiesCCF[2], "12,25")]))
            #expect(quart.status == .unprocessableContent, "CCF: whole or half points")
            let ecrit = try await banc.appel(.post, "/v1/lots/\(ecrits[0].id)/notes", .etablissement, scopes: ["uai:\(banc.centre)"], sujet: "etab",
                                             json: Banc.corpsNotes([(try await banc.copies(ecrits[0].id)[0], "10")]))
            #expect(ecrit.status == .forbidden)
            let autre = try await banc.appel(.post, "/v1/lots/\(ccf[0].id)/notes", .etablissement, scopes: ["uai:\(banc.centre)"], sujet: "etab",
                                             json: Banc.corpsNotes([(copiesCCF[2], "10")]))
            #expect(autre.status == .forbidden)
            // The gestionnaire closes the collection: graders and établissements refused, his report accepted.
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/unites/U40/fermeture").status == .ok)
            let ferme = try await banc.appel(.post, "/v1/lots/\(ccf[0].id)/notes", .etablissement, scopes: scopes, sujet: "etab",
                                             json: Banc.corpsNotes([(copiesCCF[2], "10")]))
            #expect(ferme.status == .conflict)
            #expect(try ferme.probleme.code == "lot.ferme")
            let report = try await banc.appel(.post, "/v1/lots/\(ccf[0].id)/notes?attendre=10000", json: Banc.corpsNotes([(copiesCCF[2], "9,5")]))
            #expect(report.status == .ok)
            let rows = try await banc.database.query(SQL.query(
                "SELECT source FROM \(banc.database.table("notes")) WHERE lot = $1 ORDER BY numero", ccf[0].id))
            var sources: [String] = []
            for try await source in rows.decode(String.self) { sources.append(source) }
            #expect(Set(sources) == ["etablissement", "report"])
        }
    }

    static func cles(_ valeur: Any) -> Set<String> {
        if let objet = valeur as? [String: Any] {
            return objet.reduce(into: Set(objet.keys)) { $0.formUnion(cles($1.value)) }
        }
        if let tableau = valeur as? [Any] { return tableau.reduce(into: Set<String>()) { $0.formUnion(cles($1)) } }
        return []
    }
}

enum HTTPMethodeDeTest {
    case get
    var methode: HTTPRequest.Method { .get }
}

import HTTPTypes
