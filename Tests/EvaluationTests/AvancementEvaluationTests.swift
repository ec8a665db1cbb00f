import Contracts
import Foundation
import ServiceKit
import Storage
import Testing
import TestSupport
@testable import Evaluation

/// Issue 12, point 11: the routes the gateway's aggregates call on evaluation.
@Suite("Evaluation: the dashboard's progress and the candidate file's grades part")
struct AvancementEvaluationTests {
    @Test("a session's grade collection in counts for the gestionnaire; unknown session 404; nobody else")
    func avancement() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 6)
            let lots = try await banc.lots(taille: 4)
            let correcteur = try await banc.correcteurs(lots)[0]
            let copies = try await banc.copies(correcteur.lot)
            #expect(try await banc.comme(correcteur, .post, "/v1/lots/\(correcteur.lot)/notes?attendre=10000",
                                         json: Banc.corpsNotes(copies.map { ($0, "10") })).status == .ok)
            #expect(try await banc.comme(correcteur, .post, "/v1/lots/\(correcteur.lot)/verrouillage").status == .ok)
            // Réglementation learns of the lots (closing `collecte_notes` waits for them all locked).
            let crees = try await banc.evenements(LotsCrees.self, aggregate: "unite:\(banc.session):U20")
            #expect(Set(crees.flatMap(\.lots).map(\.lot)) == Set(lots.map { $0.id.uuidString.lowercased() }))
            let reponse = try await banc.appel(.get, "/v1/sessions/\(banc.session)/avancement")
            #expect(reponse.status == .ok, "\(reponse.texte)")
            let etat = try reponse.json(SuiviRepository.Avancement.self)
            #expect(etat.collecteOuverte)
            #expect(etat.unites == 1)
            #expect(etat.copies == 6)
            #expect(etat.copiesSansLot == 0)
            #expect(etat.copiesSansNote == 2)
            #expect(etat.lots == 2)
            #expect(etat.lotsVerrouilles == 1)
            #expect(etat.unitesConsolidees == 0)
            #expect(try await banc.comme(correcteur, .get, "/v1/sessions/\(banc.session)/avancement").status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/avancement", .etablissement, scopes: ["uai:\(banc.centre)"]).status == .forbidden)
            let inconnue = try await banc.appel(.get, "/v1/sessions/2098-N-AA/avancement")
            #expect(inconnue.status == .notFound || inconnue.status == .unprocessableContent)
        }
    }

    @Test("a candidate's grades part: his own only (anonymous until the deliberation, said in French); never a grader's")
    func notesDuCandidat() async throws {
        try await Banc.avecService(travailleurs: 0) { banc in
            let sien = try await banc.appel(.get, "/v1/candidats/12345678/notes", .candidat, scopes: ["candidat:12345678"], sujet: "compte-c")
            #expect(sien.status == .ok, "\(sien.texte)")
            let corps = try sien.json(SuiviRoutes.NotesCandidat.self)
            #expect(corps.candidat == "12345678")
            #expect(corps.disponibles == false)
            #expect(corps.message.contains("anonymat"))
            #expect(try await banc.appel(.get, "/v1/candidats/87654321/notes", .candidat, scopes: ["candidat:12345678"]).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/candidats/12345678/notes", .correcteur, scopes: ["lot:\(UUID())"]).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/candidats/12345678/notes", .etablissement, scopes: ["uai:\(banc.centre)"]).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/candidats/12345678/notes").status == .ok)
        }
    }
}
