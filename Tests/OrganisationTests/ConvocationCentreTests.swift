import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// Issue 12, point 15: the centre épreuve prints the convocations for the épreuves it runs, not only
/// the établissement d'inscription — and only those.
@Suite("Organisation: the centre épreuve reaches the convocations of the candidates placed in it")
struct ConvocationCentreTests {
    struct Liste: Decodable { struct L: Decodable { var candidature: UUID }; var items: [L]; var total: Int }

    @Test("a centre épreuve (scope uai:) gets the convocations of candidates placed in it, not of others")
    func centreEpreuve() async throws {
        try await Banc.avecService { banc in
            // A candidate of another département, placed in a centre of his own département.
            let autreCentre = try await banc.centre("Lycée du Sud", salles: [Salle(nom: "S1", places: 20)], departement: "013")
            let ailleurs = try banc.candidature(nom: "Ailleurs", prenoms: "Paul", etablissement: UAIs.valide(departement: "013"))
            try await banc.nourrir([ailleurs])
            let (centre, candidatures) = try await ConvocationTests.prepare(banc)
            let etab = try #require(candidatures.first?.etablissement?.uai.value)
            #expect(centre != etab && autreCentre != centre)

            for unite in ["U10", "U20", "U30", "U40"] {
                let r = try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                             json: #"{"specialite":"COIFFURE","unite":"\#(unite)"}"#)
                #expect(r.status == .ok, "\(r.texte)")
            }
            let generation = try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations?uai=\(etab)")
            #expect(generation.status == .ok, "\(generation.texte)")

            // The centre épreuve, which registered none of them: each of its candidates' convocations, and the list.
            for candidature in candidatures {
                let pdf = try await banc.etab(.get, "/v1/candidatures/\(candidature.id.uuidString)/convocation", centre)
                #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf", "\(pdf.texte)")
            }
            let liste = try await banc.etab(.get, "/v1/sessions/\(banc.session)/convocations", centre).json(Liste.self)
            #expect(Set(liste.items.map(\.candidature)) == Set(candidatures.map(\.id)) && liste.total == candidatures.count)
            let lot = try await banc.etab(.get, "/v1/sessions/\(banc.session)/convocations.pdf", centre)
            #expect(lot.status == .ok)
            let texteLot = try await PDF.texte(lot.octets)
            #expect(candidatures.allSatisfy { texteLot.contains($0.numero) } && !texteLot.contains(ailleurs.numero))

            // Not the candidate placed elsewhere, nor anything for a centre where nobody sits.
            #expect(try await banc.etab(.get, "/v1/candidatures/\(ailleurs.id.uuidString)/convocation", centre).status == .forbidden)
            #expect(try await banc.etab(.get, "/v1/candidatures/\(candidatures[0].id.uuidString)/convocation", autreCentre).status == .forbidden)
            let autre = try await banc.etab(.get, "/v1/sessions/\(banc.session)/convocations", autreCentre).json(Liste.self)
            #expect(autre.items.map(\.candidature) == [ailleurs.id])
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/convocations", UAIs.valide()).json(Liste.self).total == 0)
        }
    }
}
