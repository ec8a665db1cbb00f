import Foundation
import NIOCore
@testable import Reglementation
import ServiceKit
import Testing
import TestSupport

/// Issue 12 point 2: numbers read from a request are bounded, so that no input traps the process.
@Suite("Réglementation: bounded numbers")
struct BornesTests {
    @Test("a pilot whose unit coefficients would overflow their sum is refused by name (422), and the service still answers")
    func coefficientsEnormes() async throws {
        try await Banc.avecService { banc in
            let code = Pilotes.codeAleatoire()
            let pilote = """
                specialites:
                  - code: \(code)
                    libelle: Spécialité aux coefficients énormes
                    version: 1
                    epreuves:
                      - code: E1
                        libelle: Pratique
                        unites:
                          - {code: U10, libelle: Pratique, coefficient: 9223372036854775807, formes: [pratique], duree: 4h}
                          - {code: U11, libelle: Pratique bis, coefficient: 9223372036854775807, formes: [pratique], duree: 4h}

                """
            let reponse = try await banc.appel(.post, "/v1/pilote/imports", corps: ByteBuffer(string: pilote))
            #expect(reponse.status == .unprocessableContent, "\(reponse.texte)")
            #expect(try reponse.probleme.details?.contains { $0.code == "pilote.coefficient" } == true, "\(reponse.texte)")
            for page in ["9223372036854775807", "-1", "x"] {
                let liste = try await banc.appel(.get, "/v1/pilote/specialites?page=\(page)", .service)
                #expect(liste.status == .unprocessableContent, "page=\(page): \(liste.texte)")
            }
            let lue = try await banc.appel(.get, "/v1/pilote/specialites?taille=1", .service)
            #expect(lue.status == .ok)
        }
    }
}
