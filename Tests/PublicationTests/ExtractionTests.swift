import Contracts
import Domain
import Foundation
@testable import Publication
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// What établissements take away before the session closes, the gestionnaire's archive list, and
/// what the closing leaves: the gestionnaire reads, the établissement gets nothing, the candidate
/// keeps his documents.
@Suite("Publication : extraction des établissements, listes, fermeture de la session")
struct ExtractionTests {
    @Test("grades of its own students once the extraction service opens; results lists; after the closing: établissement refused, candidate keeps his relevé")
    func extractionEtFermeture() async throws {
        try await Banc.avecService { banc in
            let (uai, autre) = (UAIs.valide(), UAIs.valide())
            let lea = try banc.candidature(nom: "Martin", consentement: false, etablissement: uai)
            let paul = try banc.candidature(nom: "Durand", consentement: true, etablissement: autre)
            try await banc.deliberer([lea, paul], [try banc.resultat(lea), try banc.resultat(paul, decision: "ajourne", note: "07.25")])
            let csv = "/v1/sessions/\(banc.session)/extraction.csv"
            let sien: Set<String> = ["uai:\(uai)"]

            // Under embargo the gestionnaire's archive is empty.
            #expect(try await banc.appel(.get, csv).texte.split(separator: "\r\n").count == 1)
            try await banc.ouvrirPublication()
            let fermee = try await banc.appel(.get, csv, .etablissement, scopes: sien)
            #expect(fermee.status == .conflict)
            #expect(try fermee.probleme.code == "extraction.fermee")

            try await banc.livrer(ServiceOuvert(session: try banc.code, service: .extractionEtablissement, ouvertPar: "g"), producteur: "reglementation")
            let extraction = try await banc.appel(.get, csv, .etablissement, scopes: sien)
            #expect(extraction.status == .ok)
            #expect(extraction.headers[.contentType] == "text/csv; charset=utf-8")
            let lignes = extraction.texte.split(separator: "\r\n")
            #expect(lignes.count == 2)
            #expect(lignes.last?.contains("\(lea.numero);Martin;Léa;2004-03-02;BOULANGER;\(uai);12.50;admis;U10=12.50") == true)
            #expect(!extraction.texte.contains(paul.numero), "another établissement's student")
            #expect(try await banc.appel(.get, "\(csv)?etablissement=\(autre)", .etablissement, scopes: sien).status == .forbidden)
            #expect(try await banc.appel(.get, csv).texte.contains(paul.numero), "the gestionnaire takes them all")

            let liste = try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats.pdf", .etablissement, scopes: sien)
            #expect(liste.status == .ok)
            let texte = try await PDF.texte(liste.octets)
            #expect(texte.contains("Martin Léa") && !texte.contains("Durand"))
            let archive = try await PDF.texte(try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats.pdf").octets)
            #expect(archive.contains("Liste d'archivage des résultats") && archive.contains("Martin Léa") && archive.contains("Durand Léa"))

            // The centre épreuve where Paul sits his épreuve lists the results of the candidates
            // placed there, and only its own.
            let centre = UAIs.valide()
            try await banc.livrer(CandidatAffecte(
                session: try banc.code, candidature: paul.id, numeroCandidat: paul.numero, specialite: "BOULANGER", epreuve: "E1",
                unite: "U10", mode: .ponctuel, centre: try UAI(centre), salle: nil, debut: nil, dureeMinutes: nil, place: nil, revision: 1),
                producteur: "organisation")
            let duCentre = try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats.pdf?centre=\(centre)", .etablissement,
                                                scopes: ["uai:\(centre)"])
            #expect(duCentre.status == .ok)
            let texteCentre = try await PDF.texte(duCentre.octets)
            #expect(texteCentre.contains("Résultats des candidats affectés dans le centre") && texteCentre.contains("Durand Léa")
                    && !texteCentre.contains("Martin"))
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats.pdf?centre=\(centre)", .etablissement,
                                         scopes: sien).status == .forbidden)

            // « Edite en masse les documents à remettre à ses élèves »: its students' relevés in one PDF.
            _ = try await banc.appel(.post, "/v1/sessions/\(banc.session)/documents/generation")
            let aRemettre = try await banc.appel(.get, "/v1/sessions/\(banc.session)/documents.pdf?type=releve", .etablissement, scopes: sien)
            #expect(aRemettre.status == .ok)
            let releves = try await PDF.texte(aRemettre.octets)
            #expect(releves.contains("Relevé de notes") && releves.contains("Martin Léa") && !releves.contains("Durand"))
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/documents.pdf?type=diplome&etablissement=\(autre)", .etablissement,
                                         scopes: sien).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/documents.pdf?type=convocation", .etablissement,
                                         scopes: sien).status == .unprocessableContent)
            _ = try await banc.appel(.put, "/v1/sessions/\(banc.session)/documents/releve/masquage", json: #"{"masque": true}"#)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/documents.pdf?type=releve", .etablissement, scopes: sien).status
                    == .notFound, "a hidden type is hidden from the établissement too")
            _ = try await banc.appel(.put, "/v1/sessions/\(banc.session)/documents/releve/masquage", json: #"{"masque": false}"#)

            // « Ferme la session ».
            try await banc.livrer(SessionClose(session: try banc.code, academie: "A13", closePar: "g"), producteur: "reglementation")
            #expect(try await banc.appel(.get, csv, .etablissement, scopes: sien).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats", .etablissement, scopes: sien).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/publication").status == .ok, "the gestionnaire still reads")
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/documents/generation").status == .conflict)
            struct Documents: Decodable { var items: [Item]; struct Item: Decodable { var id: UUID; var type: String } }
            let scopes: Set<String> = ["candidat:\(lea.numero)"]
            let documents = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents", .candidat, scopes: scopes).json(Documents.self)
            let releve = try #require(documents.items.first { $0.type == "releve" })
            let pdf = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents/\(releve.id)", .candidat, scopes: scopes)
            #expect(pdf.status == .ok, "the candidate keeps his documents after the closing")
        }
    }
}
