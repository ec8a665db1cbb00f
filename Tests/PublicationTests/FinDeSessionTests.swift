import Contracts
import Domain
import Foundation
@testable import Publication
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// « Génère les documents »: relevés, attestations and diplômes with their verification codes,
/// drawn as real PDFs (read back with pdftotext), and the public check of a code.
@Suite("Publication : documents de fin de session")
struct FinDeSessionTests {
    struct Generation: Decodable { var releves: Int; var attestations: Int; var diplomes: Int; var remplaces: Int }
    struct Documents: Decodable { var items: [Item]; struct Item: Decodable { var id: UUID; var type: String; var code: String } }
    struct Verification: Decodable { var document: String; var valide: Bool; var titulaire: String; var specialite: String; var session: String }

    @Test("not before the release; then a relevé for each, attestation and diplôme for the admitted; PDFs with grades, decision and a code the public check accepts")
    func documents() async throws {
        try await Banc.avecService { banc in
            let lea = try banc.candidature(nom: "Martin", consentement: false)
            let paul = try banc.candidature(nom: "Durand", consentement: true)
            let resultats = [try banc.resultat(lea, note: "14.25"), try banc.resultat(paul, decision: "ajourne", note: "08.50")]
            try await banc.deliberer([lea, paul], resultats)
            let generer = "/v1/sessions/\(banc.session)/documents/generation"
            let tot = try await banc.appel(.post, generer)
            #expect(tot.status == .conflict)
            #expect(try tot.probleme.code == "documents.embargo")

            try await banc.ouvrirPublication()
            // The académie's logo and the recteur's signature, as réglementation announces them
            // (a JPEG is kept out: the kit draws PNG only).
            for (code, png, type) in [("logo.academie", TestPNG.make(width: 120, height: 60), "image/png"),
                                      ("signature.recteur", TestPNG.make(width: 200, height: 80), "image/png"),
                                      ("autre.image", [0xFF, 0xD8, 0xFF, 0xE0], "image/jpeg")] {
                try await banc.livrer(RessourceDeposee(
                    academie: "A13", code: code, version: 1, libelle: code, mediaType: type, contenu: Data(png),
                    empreinte: String(repeating: "0", count: 64), deposeePar: "g", deposeeLe: Date()), producteur: "reglementation")
            }
            #expect(try await banc.appel(.post, generer, .etablissement, scopes: ["uai:0130004J"]).status == .forbidden)
            let generation = try await banc.appel(.post, generer).json(Generation.self)
            #expect((generation.releves, generation.attestations, generation.diplomes, generation.remplaces) == (2, 1, 1, 0))
            // A notice each, kept in the space and announced for the gateway to mail.
            struct Espace: Decodable { var notifications: [Notification]; struct Notification: Decodable { var message: String } }
            let espace = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/espace", .candidat, scopes: ["candidat:\(lea.numero)"])
                .json(Espace.self)
            #expect(espace.notifications.map(\.message) == ["Vos documents de fin de session sont disponibles dans votre espace."])
            let annonces = try await banc.database.query(SQL.query(
                "SELECT count(*)::int8 FROM \(banc.database.table("outbox")) WHERE type = $1 AND position(convert_to($2, 'UTF8') in envelope) > 0",
                DocumentPublie.type, banc.session))
            for try await n in annonces.decode(Int64.self) { #expect(n == 2, "one per candidate") }
            let encore = try await banc.appel(.post, generer).json(Generation.self)
            #expect((encore.releves, encore.attestations, encore.diplomes) == (0, 0, 0), "running it again generates nothing")

            let scopes: Set<String> = ["candidat:\(lea.numero)"]
            let siens = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents", .candidat, scopes: scopes).json(Documents.self)
            #expect(siens.items.map(\.type).sorted() == ["attestation", "diplome", "releve"])
            let releve = try #require(siens.items.first { $0.type == "releve" })
            let pdf = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents/\(releve.id)", .candidat, scopes: scopes)
            #expect(pdf.status == .ok)
            #expect(pdf.headers[.contentType] == "application/pdf")
            let texte = try await PDF.texte(pdf.octets)
            #expect(texte.contains("Relevé de notes") && texte.contains("Martin Léa"))
            #expect(texte.contains("14,25") && texte.contains("admis"))
            #expect(texte.contains(releve.code))
            let diplome = try #require(siens.items.first { $0.type == "diplome" })
            let texteDiplome = try await PDF.texte(
                try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents/\(diplome.id)", .candidat, scopes: scopes).octets)
            #expect(texteDiplome.contains("Brevet professionnel BOULANGER") && texteDiplome.contains(diplome.code))
            let images = try await PDF.images(
                try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents/\(diplome.id)", .candidat, scopes: scopes).octets)
            #expect(images == ["120x60", "200x80"], "the logo and the signature are drawn")

            // « Masquer ou rendre visible un type de document »: the diplôme disappears from Léa's
            // space (list and file), the gestionnaire still reads it; shown again, it is back.
            let masquage = "/v1/sessions/\(banc.session)/documents/diplome/masquage"
            #expect(try await banc.appel(.put, masquage, json: #"{"masque": true}"#).status == .ok)
            let sansDiplome = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents", .candidat, scopes: scopes).json(Documents.self)
            #expect(sansDiplome.items.map(\.type).sorted() == ["attestation", "releve"])
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents/\(diplome.id)", .candidat, scopes: scopes).status == .notFound)
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents/\(diplome.id)").status == .ok, "the gestionnaire reads it")
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/documents/masques").texte.contains("diplome"))
            #expect(try await banc.appel(.put, masquage, json: #"{"masque": false}"#).status == .ok)
            let avecDiplome = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents", .candidat, scopes: scopes).json(Documents.self)
            #expect(avecDiplome.items.map(\.type).sorted() == ["attestation", "diplome", "releve"])
            #expect(try await banc.appel(.put, "/v1/sessions/\(banc.session)/documents/papillon/masquage", json: #"{"masque": true}"#).status
                    == .unprocessableContent)
            #expect(try await banc.appel(.put, masquage, .etablissement, scopes: ["uai:0130004J"], json: #"{"masque": true}"#).status == .forbidden)

            // Another candidate reaches neither the list nor the file.
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents", .candidat, scopes: ["candidat:\(paul.numero)"]).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/candidats/\(paul.numero)/documents/\(releve.id)", .candidat,
                                         scopes: ["candidat:\(paul.numero)"]).status == .notFound)

            // The public check: the holder's name, spécialité and session, nothing else.
            let verification = try await banc.appel(.get, "/v1/public/verification/\(diplome.code)", .service)
            let verifie = try verification.json(Verification.self)
            #expect(verifie.valide && verifie.titulaire == "Martin Léa" && verifie.document == "Diplôme" && verifie.specialite == "BOULANGER")
            #expect(!verification.texte.contains("14.25") && !verification.texte.contains(lea.numero))
            #expect(try await banc.appel(.get, "/v1/public/verification/AAAA-BBBB-CCCC-DDDD", .service).status == .notFound)
            #expect(try await banc.appel(.get, "/v1/public/verification/\(diplome.code)", .candidat, scopes: scopes).status == .forbidden)

            // A reopened jury makes Léa ajournée: her documents are replaced, the old codes say so.
            let revise = try banc.resultat(lea, decision: "ajourne", note: "09.00", revision: 2)
            try await banc.livrer(revise, producteur: "deliberation")
            try await banc.livrer(try banc.pv([revise, resultats[1]], version: 2), producteur: "deliberation")
            let apres = try await banc.appel(.post, generer).json(Generation.self)
            #expect((apres.releves, apres.attestations, apres.diplomes, apres.remplaces) == (1, 0, 0, 3))
            let ancien = try await banc.appel(.get, "/v1/public/verification/\(diplome.code)", .service).json(Verification.self)
            #expect(!ancien.valide)
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents/\(diplome.id)", .candidat, scopes: scopes).status == .notFound)
            let nouveaux = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/documents", .candidat, scopes: scopes).json(Documents.self)
            #expect(nouveaux.items.map(\.type) == ["releve"])
        }
    }
}
