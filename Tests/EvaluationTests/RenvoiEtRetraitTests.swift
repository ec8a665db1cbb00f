import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing
import TestSupport
@testable import Evaluation

/// Issue 12, point 10 (second half): a command id resent with other grades, and a grader
/// removed from his lot while his grades wait on the work queue.
@Suite("Grade commands: a reused command id, a grader removed before his grades are applied")
struct RenvoiEtRetraitTests {
    @Test("a command id resent with other grades is a 409 conflict (the correction is not silently dropped); the same content resent answers its outcome")
    func renvoiModifie() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 2)
            let lot = try await banc.lots(taille: 2)[0]
            let correcteur = try await banc.correcteurs([lot])[0]
            let copies = try await banc.copies(lot.id)
            let id = UUID()
            let premier = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                               json: Banc.corpsNotes([(copies[0], "10"), (copies[1], "10")], commande: id))
            #expect(premier.status == .ok, "\(premier.texte)")

            let corrige = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                               json: Banc.corpsNotes([(copies[0], "10"), (copies[1], "15")], commande: id))
            #expect(corrige.status == .conflict, "\(corrige.texte)")
            #expect(try corrige.probleme.code == "saisie.commande_reutilisee")
            #expect(try corrige.probleme.message.contains("n'a pas été enregistré"))
            #expect(try await banc.notes(lot.id)[copies[1]] == "10.00")
            // Without waiting either: refused at once, nothing put on the queue.
            let sansAttendre = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes",
                                                    json: Banc.corpsNotes([(copies[1], "16")], commande: id))
            #expect(sansAttendre.status == .conflict)

            // The same content again (a retry after a lost answer): its recorded outcome.
            let meme = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                            json: Banc.corpsNotes([(copies[1], "10"), (copies[0], "10")], commande: id))
            #expect(meme.status == .ok, "\(meme.texte)")
            #expect(try meme.json(ReponseSaisie.self).statut == "enregistree")
            // The correction under a new id is applied.
            let nouvelle = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                                json: Banc.corpsNotes([(copies[1], "15")], commande: UUID()))
            #expect(nouvelle.status == .ok)
            #expect(try await banc.notes(lot.id)[copies[1]] == "15.00")
            // Another grader's (or anyone's) reuse of the id is a conflict too.
            let gestionnaire = try await banc.appel(.post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                                    json: Banc.corpsNotes([(copies[0], "10"), (copies[1], "10")], commande: id))
            #expect(gestionnaire.status == .conflict)
        }
    }

    /// The worker's transaction is called directly on the commands as the API built them: the
    /// work queue is shared by every test running at once, whose workers would take the command
    /// before the grader is removed.
    @Test("a grader removed from his lot while his command waits on the queue: the worker refuses it (recorded in French), nothing stored")
    func correcteurRetire() async throws {
        try await Banc.avecService(travailleurs: 0) { banc in
            try await banc.anonymats(copies: 2)
            let lot = try await banc.lots(taille: 2)[0]
            let correcteur = try await banc.correcteurs([lot])[0]
            let autre = Banc.Correcteur(sujet: "correcteur-\(UUID().uuidString.lowercased())", lot: lot.id)
            let affectation = try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectations",
                                                   json: #"{"affectations":[{"lot":"\#(lot.id)","sujet":"\#(autre.sujet)","nom":"Autre"}]}"#)
            #expect(affectation.status == .ok)
            let copies = try await banc.copies(lot.id)
            // Both commands accepted by the API while both graders are assigned.
            let composants = try Composants(runtime: banc.runtime)
            let etat = try #require(try await composants.lots.etat(lot.id))
            func commande(_ c: Banc.Correcteur, _ notes: [(String, String)]) throws -> CommandeSaisie {
                try composants.saisies.commande(
                    .init(commande: nil, notes: notes.map { .init(copie: $0.0, note: $0.1) }), lot: etat,
                    par: InternalIdentity(subject: c.sujet, role: .correcteur, scopes: c.scopes))
            }
            let retire = try commande(correcteur, [(copies[0], "12"), (copies[1], "13")])
            let controle = try commande(autre, [(copies[0], "8")])
            // Then the gestionnaire removes the first grader, before a worker takes the commands.
            let retrait = try await banc.appel(.delete, "/v1/lots/\(lot.id)/correcteurs/\(correcteur.sujet)")
            #expect(retrait.status == .noContent)
            let traitement = TraitementSaisies(database: banc.database, outbox: banc.runtime.outbox, cle: banc.cle)
            let resultats = try await banc.database.transaction { try await traitement.traiter([retire, controle], on: $0) }
            #expect(resultats.first { $0.commande == retire.id }?.statut == "refusee")
            #expect(resultats.first { $0.commande == controle.id }?.statut == "enregistree")

            let reponse = try await banc.appel(.get, "/v1/commandes/\(retire.id)")
            let resultat = try reponse.json(ReponseSaisie.self)
            #expect(resultat.statut == "refusee")
            #expect(resultat.message?.contains("n'êtes plus affecté à ce lot") == true)
            #expect(try await banc.notes(lot.id) == [copies[0]: "8.00"])
            #expect(try await banc.database.count("audit", where: "lot = '\(lot.id)' AND par = '\(correcteur.sujet)'") == 0)
            // The removed grader no longer sees the lot either.
            #expect(try await banc.comme(correcteur, .get, "/v1/lots/\(lot.id)").status == .forbidden)
        }
    }
}
