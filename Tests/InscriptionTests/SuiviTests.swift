import Contracts
import Foundation
@testable import Inscription
import ServiceKit
import Testing
import TestSupport

@Suite("Inscription: lists, statistics and exports")
struct SuiviTests {
    struct Lignes: Decodable {
        struct Ligne: Decodable { var cle: String; var libelle: String; var brouillon: Int; var validee: Int; var annulee: Int; var total: Int; var amenagements: Int }
        var items: [Ligne]
    }

    @Test("filters and paging, statistics by spécialité / établissement / category, CSV export safe for spreadsheets")
    func suivi() async throws {
        try await Banc.avecService { banc in
            var ids: [UUID] = []
            for i in 0..<5 {
                let c = try await banc.creer(Saisies.candidature(uai: banc.cfa, identite: Saisies.identite(nom: "Cfa\(i)")))
                if i < 3 { #expect(try await banc.valider(c.id).status == .ok) }
                ids.append(c.id)
            }
            _ = try await banc.appel(.post, "/v1/candidatures/\(ids[4].uuidString)/annulation", json: #"{"motif":"doublon"}"#)
            for i in 0..<2 {
                _ = try await banc.creer(Saisies.candidature(categorie: "fpc", uai: banc.prive, options: ["U30B"], forme: "progressive",
                                                             identite: Saisies.identite(nom: i == 0 ? "=HYPERLINK(\\\"http://x\\\")" : "Privé\(i)")))
            }
            _ = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures", .candidat, sujet: "gp-\(UUID())",
                                     json: Saisies.candidature(categorie: "individuel", uai: nil, forme: "progressive", identite: Saisies.identite(nom: "Libre")))

            let tout = try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures?taille=3&page=2").json(PageCandidatures.self)
            #expect(tout.total == 8 && tout.items.count == 3)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures?etat=validee").json(PageCandidatures.self).total == 3)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures?categorie=fpc&uai=\(banc.prive)").json(PageCandidatures.self).total == 2)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures?q=cfa3").json(PageCandidatures.self).total == 1)
            let mauvaisFiltres = try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures?etat=perdu&taille=999")
            #expect(try mauvaisFiltres.probleme.details?.map(\.location).sorted() == ["etat", "taille"])

            let parSpecialite = try await banc.appel(.get, "/v1/sessions/\(banc.session)/statistiques?par=specialite").json(Lignes.self)
            #expect(parSpecialite.items.map(\.cle) == ["COIFFURE"] && parSpecialite.items.first?.total == 8)
            let parEtablissement = try await banc.appel(.get, "/v1/sessions/\(banc.session)/statistiques?par=etablissement").json(Lignes.self)
            let cfa = try #require(parEtablissement.items.first { $0.cle == banc.cfa })
            #expect(cfa.libelle == "CFA des métiers de bouche" && cfa.validee == 3 && cfa.brouillon == 1 && cfa.annulee == 1 && cfa.total == 5)
            #expect(parEtablissement.items.first { $0.cle == "" }?.libelle == "Grand Public (sans établissement)")
            let parCategorie = try await banc.appel(.get, "/v1/sessions/\(banc.session)/statistiques?par=categorie").json(Lignes.self)
            #expect(Dictionary(uniqueKeysWithValues: parCategorie.items.map { ($0.cle, $0.total) }) == ["apprenti": 5, "fpc": 2, "individuel": 1])
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/statistiques?par=ville").probleme.code == "statistiques.axe")
            let vueEtablissement = try await banc.etab(.get, "/v1/sessions/\(banc.session)/statistiques?par=etablissement", banc.prive).json(Lignes.self)
            #expect(vueEtablissement.items.map(\.cle) == [banc.prive], "an établissement sees only its own figures")

            let export = try await banc.appel(.get, "/v1/sessions/\(banc.session)/candidatures.csv?uai=\(banc.prive)")
            #expect(export.status == .ok && export.headers[.contentType] == "text/csv; charset=utf-8")
            let lignes = export.texte.split(separator: "\r\n").map(String.init)
            #expect(lignes.count == 3)
            #expect(lignes[0].hasPrefix("\u{FEFF}numero;etat;ine;nom_famille"))
            #expect(lignes.contains { $0.contains(";'=HYPERLINK(\"\"http://x\"\")") || $0.contains("'=HYPERLINK") }, "a formula is neutralised")
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures.csv?uai=\(banc.cfa)", banc.prive).status == .forbidden)
        }
    }

    @Test("a candidate's file for the gateway's aggregate: his own candidatures only")
    func dossierDuCandidat() async throws {
        try await Banc.avecService { banc in
            let c = try await banc.creer(Saisies.candidature(uai: banc.cfa))
            struct Items: Decodable { var items: [Candidature] }
            let lui = try await banc.appel(.get, "/v1/candidats/\(c.numero)/candidature", .candidat, scopes: ["candidat:\(c.numero)", "uai:\(banc.cfa)"], sujet: "papillon")
            #expect(try lui.json(Items.self).items.map(\.id) == [c.id])
            #expect(try await banc.appel(.get, "/v1/candidats/\(c.numero)/candidature", .candidat, scopes: ["candidat:autre"], sujet: "x").status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/candidats/\(c.numero)/candidature").json(Items.self).items.map(\.numero) == [c.numero])
            // A Grand Public account of this run only (accounts outlive sessions).
            let login = "lea-\(UUID().uuidString.prefix(8).lowercased())", compte = "compte-\(UUID())"
            let gp = try await banc.appel(.post, "/v1/sessions/\(banc.session)/candidatures", .candidat, scopes: ["candidat:\(login)"], sujet: compte,
                                          json: Saisies.candidature(categorie: "individuel", uai: nil, forme: "progressive",
                                                                    identite: Saisies.identite(nom: "Garnier"))).json(Candidature.self)
            let sienne = try await banc.appel(.get, "/v1/candidats/\(login)/candidature", .candidat, scopes: ["candidat:\(login)"], sujet: compte)
            #expect(try sienne.json(Items.self).items.map(\.id) == [gp.id])
        }
    }
}
