import Contracts
import Domain
import Foundation
import HTTPTypes
@testable import Inscription
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport

/// Issue 12, point 14, for registration: a closed session — the établissement no longer reaches
/// its candidatures, the gestionnaire only reads them, the candidate keeps his confirmation.
@Suite("Inscription: a closed session")
struct SessionCloseTests {
    @Test("closed: the établissement is refused, the gestionnaire reads but cannot write, the candidate keeps his confirmation")
    func sessionClose() async throws {
        try await Banc.avecService { banc in
            let c = try await banc.creer(Saisies.candidature(uai: banc.cfa))
            #expect(try await banc.valider(c.id).status == .ok)
            let piece = try await banc.etab(.post, "/v1/candidatures/\(c.id.uuidString)/pieces?type=CONTRAT&nom=contrat.pdf", banc.cfa,
                                            corps: PiecesEtAmenagementsTests.pdf).json(Piece.self)
            let liste = "/v1/sessions/\(banc.session)/candidatures"
            let sienne = "/v1/candidatures/\(c.id.uuidString)"
            let contenu = "/v1/pieces/\(piece.id.uuidString)/contenu"
            let candidat = (role: Role.candidat, scopes: Set(["candidat:\(c.numero.lowercased())", "uai:\(banc.cfa)"]))
            #expect(try await banc.etab(.get, liste, banc.cfa).status == .ok)
            #expect(try await banc.etab(.get, sienne, banc.cfa).status == .ok)

            try await banc.runtime.database.transaction { connection in
                try await banc.referentiel.enregistrer(SessionClose(session: try SessionCode(banc.session), academie: "A01", closePar: "test"),
                                                       on: connection)
            }
            let revision = try await banc.appel(.get, sienne).json(Candidature.self).revision

            // The établissement: refused everywhere, by session, by candidature or by pièce, with a French reason.
            let refus = try await banc.etab(.get, liste, banc.cfa)
            #expect(refus.status == .forbidden && refus.texte.contains("est close"), "\(refus.texte)")
            for (method, uri) in [(HTTPRequest.Method.get, sienne), (.get, "\(sienne)/historique"), (.get, "\(sienne)/pieces"),
                                  (.get, "\(sienne)/confirmation"), (.get, contenu), (.get, "/v1/sessions/\(banc.session)/statistiques"),
                                  (.put, sienne), (.post, "\(sienne)/annulation")] {
                #expect(try await banc.etab(method, uri, banc.cfa, json: "{}").status == .forbidden, "\(method) \(uri)")
            }
            // The gestionnaire: reads; every write is refused as a conflict naming the closed session, and changes nothing.
            #expect(try await banc.appel(.get, liste).status == .ok)
            #expect(try await banc.appel(.get, sienne).status == .ok)
            #expect(try await banc.appel(.get, contenu).status == .ok)
            for (method, uri, corps) in [
                (HTTPRequest.Method.post, "\(sienne)/annulation", #"{"motif":"essai"}"#),
                (.put, sienne, Saisies.candidature(uai: banc.cfa)),
                (.post, "/v1/pieces/\(piece.id.uuidString)/decision", #"{"statut":"acceptee"}"#),
                (.post, liste, Saisies.candidature(uai: banc.cfa)),
            ] {
                let reponse = try await banc.appel(method, uri, json: corps)
                let code = try reponse.probleme.code
                #expect(reponse.status == .conflict && code == "session.close", "\(method) \(uri): \(reponse.texte)")
            }
            #expect(try await banc.appel(.get, sienne).json(Candidature.self).revision == revision, "nothing changed")
            // The candidate keeps reading his candidature and its confirmation.
            #expect(try await banc.appel(.get, sienne, candidat.role, scopes: candidat.scopes, sujet: "lea").status == .ok)
            let confirmation = try await banc.appel(.get, "\(sienne)/confirmation", candidat.role, scopes: candidat.scopes, sujet: "lea")
            #expect(confirmation.status == .ok && confirmation.headers[.contentType] == "application/pdf")
            #expect(try await banc.appel(.post, "\(sienne)/validation", candidat.role, scopes: candidat.scopes, sujet: "lea").status == .conflict)
        }
    }
}
