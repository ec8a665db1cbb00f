import Contracts
import Domain
import Foundation
@testable import Publication
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// The documents space (2.10): the other services' documents published to the candidate and his
/// établissement, a notification for each, a type hidden by the gestionnaire.
@Suite("Publication : l'espace documents")
struct EspaceTests {
    struct Espace: Decodable {
        var documents: [Document]
        var notifications: [Notification]
        struct Document: Decodable { var id: UUID; var type: String; var titre: String; var version: Int; var lien: String? }
        struct Notification: Decodable { var message: String }
    }

    @Test("a convocation's versions replace each other, an aménagement answer as a PDF, each notified; the établissement relays; a hidden type disappears")
    func espace() async throws {
        try await Banc.avecService { banc in
            let uai = UAIs.valide()
            let lea = try banc.candidature(nom: "Martin", consentement: false, etablissement: uai)
            let session = try banc.code
            for version in [1, 2, 1] {  // the last one, older, arrives late: nothing changes
                try await banc.livrer(ConvocationGeneree(
                    session: session, candidature: lea.id, numeroCandidat: lea.numero, etablissement: try UAI(uai), version: version,
                    changement: version == 2 ? "salle B14 au lieu de B12" : nil,
                    document: "/v1/candidatures/\(lea.id.uuidString.lowercased())/convocation?version=\(version)"), producteur: "organisation")
            }
            try await banc.livrer(AmenagementDecide(
                demande: UUID(), candidature: lea.id, numero: lea.numero, session: session, etablissement: try UAI(uai),
                decision: .accordePartiellement, mesures: [MesureAmenagement(type: .tempsMajore, majorationPourcent: 33)],
                motivation: "Tiers temps accordé ; salle séparée non justifiée.", decidePar: "gestionnaire-test"), producteur: "inscription")

            let scopes: Set<String> = ["candidat:\(lea.numero)"]
            let sien = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/espace", .candidat, scopes: scopes).json(Espace.self)
            #expect(sien.documents.map(\.type).sorted() == ["amenagement", "convocation"])
            let convocation = try #require(sien.documents.first { $0.type == "convocation" })
            #expect(convocation.version == 2 && convocation.titre.contains("salle B14"))
            #expect(convocation.lien == "/api/v1/organisation/candidatures/\(lea.id.uuidString.lowercased())/convocation?version=2")
            #expect(sien.notifications.count == 3, "one per document published: convocation v1, v2, the answer")
            // Each announced for the gateway to mail, to the candidate and to his établissement.
            let annonces = try await banc.database.query(SQL.query(
                "SELECT count(*)::int8 FROM \(banc.database.table("outbox")) WHERE type = $1 AND position(convert_to($2, 'UTF8') in envelope) > 0",
                DocumentPublie.type, lea.numero))
            for try await n in annonces.decode(Int64.self) { #expect(n == 6) }
            let reponse = try #require(sien.documents.first { $0.type == "amenagement" })
            let pdf = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/espace/\(reponse.id)", .candidat, scopes: scopes)
            #expect(pdf.status == .ok)
            let texte = try await PDF.texte(pdf.octets)
            #expect(texte.contains("accordé partiellement") && texte.contains("majoration du temps") && texte.contains("+33 %"))
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/espace", .candidat, scopes: ["candidat:AUTRE"]).status == .forbidden)

            // The établissement relays its students' aménagement decisions; another sees nothing of them.
            let etablissement = try await banc.appel(.get, "/v1/sessions/\(banc.session)/espace", .etablissement, scopes: ["uai:\(uai)"])
                .json(Espace.self)
            #expect(etablissement.documents.count == 2 && etablissement.notifications.count == 3)
            #expect(etablissement.notifications.allSatisfy { $0.message.contains(lea.numero) })
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/espace?etablissement=\(uai)", .etablissement,
                                         scopes: ["uai:\(UAIs.valide())"]).status == .forbidden)

            // Hidden by the gestionnaire: gone from both spaces, the file too; back when shown.
            #expect(try await banc.appel(.put, "/v1/sessions/\(banc.session)/documents/amenagement/masquage", json: #"{"masque": true}"#).status == .ok)
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/espace", .candidat, scopes: scopes).json(Espace.self)
                .documents.map(\.type) == ["convocation"])
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/espace/\(reponse.id)", .candidat, scopes: scopes).status == .notFound)
            #expect(try await banc.appel(.put, "/v1/sessions/\(banc.session)/documents/amenagement/masquage", json: #"{"masque": false}"#).status == .ok)
            #expect(try await banc.appel(.get, "/v1/candidats/\(lea.numero)/espace", .candidat, scopes: scopes).json(Espace.self).documents.count == 2)
        }
    }
}
