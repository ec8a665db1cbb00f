import Contracts
import Domain
import Foundation
@testable import Organisation
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// Issue 12, point 14: a closed session — the établissement no longer reaches it, the gestionnaire
/// only reads it, the candidate keeps his convocation.
@Suite("Organisation: a closed session")
struct SessionCloseTests {
    @Test("closed: the établissement is refused, the gestionnaire reads but cannot write, the candidate keeps his convocation")
    func sessionClose() async throws {
        try await Banc.avecService { banc in
            let (centre, candidatures) = try await ConvocationTests.prepare(banc)
            for unite in ["U10", "U20", "U30", "U40"] {
                let r = try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                             json: #"{"specialite":"COIFFURE","unite":"\#(unite)"}"#)
                #expect(r.status == .ok, "\(r.texte)")
            }
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations").status == .ok)
            let martin = try #require(candidatures.first)
            let etab = try #require(martin.etablissement?.uai.value)
            let liste = "/v1/sessions/\(banc.session)/convocations"
            let sienne = "/v1/candidatures/\(martin.id.uuidString)/convocation"
            #expect(try await banc.etab(.get, liste, etab).status == .ok)
            #expect(try await banc.etab(.get, sienne, etab).status == .ok)

            let referentiel = ReferentielRepository(database: banc.database)
            try await banc.database.transaction { connection in
                try await referentiel.reglementation.enregistrer(SessionClose(session: banc.code, academie: "A01", closePar: "test"), on: connection)
            }

            // The établissement: refused, reads and writes, by session or by candidature, with a French reason.
            let refus = try await banc.etab(.get, liste, etab)
            #expect(refus.status == .forbidden && refus.texte.contains("est close"), "\(refus.texte)")
            #expect(try await banc.etab(.get, sienne, etab).status == .forbidden)
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/centres/\(centre)/presences", centre).status == .forbidden)
            // The gestionnaire: reads, but every write is refused and changes nothing.
            #expect(try await banc.appel(.get, liste).status == .ok)
            #expect(try await banc.appel(.get, sienne).status == .ok)
            let ecriture = try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations")
            let code = try ecriture.probleme.code
            #expect(ecriture.status == .conflict && code == "session.close", "\(ecriture.texte)")
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique").status == .conflict)
            #expect(try await banc.evenements(ConvocationGeneree.self).count == candidatures.count)
            // The candidate keeps his convocation.
            let sa = try await banc.appel(.get, sienne, .candidat, scopes: ["candidat:\(martin.numero)"], sujet: "martin")
            #expect(sa.status == .ok && sa.headers[.contentType] == "application/pdf")
        }
    }
}
