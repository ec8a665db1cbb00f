import AMQP
import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Storage
import Testing
import TestSupport
@testable import Evaluation

@Suite("Grade entry through the work queue")
struct SaisieTests {
    @Test("a whole lot entered in one command: 200 « enregistrée » once stored, the grades read back, audited, chain intact")
    func lotEntier() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 120)
            let lots = try await banc.lots(taille: 50)
            #expect(lots.map(\.copies) == [50, 50, 20])
            #expect(lots.map(\.numero) == [1, 2, 3])
            let correcteurs = try await banc.correcteurs(lots)
            let lot = lots[0], correcteur = correcteurs[0]
            let copies = try await banc.copies(lot.id)
            let notes = copies.enumerated().map { ($1, ["12,5", "8", "ABS", "20", "0,75", "ABJ", "DI"][$0 % 7]) }
            let reponse = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000", json: Banc.corpsNotes(notes))
            #expect(reponse.status == .ok, "\(reponse.texte)")
            let saisie = try reponse.json(ReponseSaisie.self)
            #expect(saisie.statut == "enregistree")
            #expect(saisie.appliquees == 50)
            let stockees = try await banc.notes(lot.id)
            #expect(stockees.count == 50)
            #expect(stockees[copies[0]] == "12.50")
            #expect(stockees[copies[2]] == "ABS")
            #expect(try await banc.database.count("audit", where: "lot = '\(lot.id)'") == 50)
            let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(rapport.valide, "\(rapport.anomalies)")
            let evenements = try await banc.evenements(NotesSaisies.self, aggregate: "lot:\(lot.id.uuidString.lowercased())")
            #expect(evenements.flatMap(\.notes).count == 50)
            #expect(evenements.first?.sources == ["portail"])

            // The same grades again: a new command, nothing changes but revisions; no audit row.
            let encore = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000", json: Banc.corpsNotes(notes))
            #expect(encore.status == .ok)
            #expect(try await banc.database.count("audit", where: "lot = '\(lot.id)'") == 50)
            // One correction: one audit row with the value before and after.
            let correction = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                                 json: Banc.corpsNotes([(copies[0], "13")]))
            #expect(correction.status == .ok)
            let rows = try await banc.database.query(SQL.query(
                "SELECT avant, apres, par, source FROM \(banc.database.table("audit")) WHERE lot = $1 ORDER BY seq DESC LIMIT 1", lot.id))
            for try await (avant, apres, par, source) in rows.decode((String?, String, String, String).self) {
                #expect(avant == "12.50")
                #expect(apres == "13.00")
                #expect(par == correcteur.sujet)
                #expect(source == "portail")
            }
            // Without waiting: 202 « acceptée », then the outcome by polling.
            let sans = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes", json: Banc.corpsNotes([(copies[1], "9,25")]))
            #expect(sans.status == .accepted)
            let commande = try sans.json(ReponseSaisie.self).commande
            try await expectEventually {
                try await banc.comme(correcteur, .get, "/v1/commandes/\(commande)").status == .ok
            }
            #expect(try await banc.notes(lot.id)[copies[1]] == "9.25")
        }
    }

    @Test("a command with bad lines is refused whole (422), every bad line named in French, nothing stored")
    func refusEnBloc() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 10)
            let autre = try await banc.anonymats(unite: "U30", copies: 2)
            let lots = try await banc.lots(taille: 10)
            let correcteur = try await banc.correcteurs(lots)[0]
            let copies = try await banc.copies(lots[0].id)
            let reponse = try await banc.comme(correcteur, .post, "/v1/lots/\(lots[0].id)/notes?attendre=5000", json: Banc.corpsNotes([
                (copies[0], "12,5"), (copies[1], "12,3"), (copies[2], "21"), (copies[3], "douze"), (autre[0], "10"),
                (copies[0], "11"), (copies[4], "NN"), (copies[5], "-1"),
            ]))
            #expect(reponse.status == .unprocessableContent)
            let probleme = try reponse.probleme
            #expect(probleme.code == "saisie.invalide")
            #expect(probleme.message.contains("Aucune note enregistrée"))
            let details = probleme.details ?? []
            #expect(details.map(\.location) == ["notes[1].note", "notes[2].note", "notes[3].note", "notes[4].copie", "notes[5].copie", "notes[6].note", "notes[7].note"])
            #expect(details.map(\.code) == ["note.pas", "note.hors_bareme", "note.format", "saisie.copie_hors_lot", "saisie.copie_en_double", "saisie.nn", "note.hors_bareme"])
            #expect(details[0].message.contains("pas de notation de l'épreuve est de 0,25"))
            #expect(details[3].message.contains("n'appartient pas à ce lot"))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await banc.notes(lots[0].id).isEmpty)
            #expect(try await banc.database.count("commandes", where: "lot = '\(lots[0].id)'") == 0)
        }
    }

    @Test("a replayed command and an older revision change nothing (idempotent worker)")
    func rejeuEtRevisionAncienne() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 5)
            let lot = try await banc.lots(taille: 5)[0]
            let correcteur = try await banc.correcteurs([lot])[0]
            let copie = try await banc.copies(lot.id)[0]
            func commande(_ note: String, revision: Int64, id: UUID = UUID()) -> CommandeSaisie {
                CommandeSaisie(id: id, lot: lot.id, revision: revision, par: correcteur.sujet, role: "correcteur", source: "portail",
                               lignes: [.init(copie: copie, note: note)])
            }
            let nouvelle = commande("14.00", revision: 2_000)
            let ancienne = commande("03.00", revision: 1_000)
            // Straight onto the work queue, the newer first, then itself again, then the older one.
            let connexion = try await AMQPConnection.connect(banc.runtime.configuration.amqp)
            try await connexion.declare(CommandeSaisie.topology)
            try await connexion.publish([try nouvelle.message(), try nouvelle.message()])
            try await expectEventually { try await banc.database.count("commandes", where: "id = '\(nouvelle.id)'") == 1 }
            var vieille = ancienne
            vieille.lignes[0].note = "3.00"
            try await connexion.publish([try vieille.message()])
            await connexion.close()
            try await expectEventually { try await banc.database.count("commandes", where: "id = '\(vieille.id)'") == 1 }
            #expect(try await banc.notes(lot.id)[copie] == "14.00")
            #expect(try await banc.database.count("audit", where: "lot = '\(lot.id)'") == 1)
            let rows = try await banc.database.query(SQL.query(
                "SELECT appliquees, ignorees FROM \(banc.database.table("commandes")) WHERE id = $1", vieille.id))
            for try await (appliquees, ignorees) in rows.decode((Int, Int).self) {
                #expect(appliquees == 0)
                #expect(ignorees == 1)
            }
        }
    }

    @Test("lock: refused with missing grades, then locked; entry refused after; unlock only by the gestionnaire with a reason; consolidation")
    func verrouillageEtConsolidation() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 4)
            let lots = try await banc.lots(taille: 2)
            let correcteurs = try await banc.correcteurs(lots)
            let (a, b) = (correcteurs[0], correcteurs[1])
            let copiesA = try await banc.copies(lots[0].id), copiesB = try await banc.copies(lots[1].id)
            _ = try await banc.comme(a, .post, "/v1/lots/\(a.lot)/notes?attendre=10000", json: Banc.corpsNotes([(copiesA[0], "10")]))
            let incomplet = try await banc.comme(a, .post, "/v1/lots/\(a.lot)/verrouillage")
            #expect(incomplet.status == .unprocessableContent)
            #expect(try incomplet.probleme.message.contains("1 copie(s) sans note"))
            _ = try await banc.comme(a, .post, "/v1/lots/\(a.lot)/notes?attendre=10000", json: Banc.corpsNotes([(copiesA[1], "ABS")]))
            let verrou = try await banc.comme(a, .post, "/v1/lots/\(a.lot)/verrouillage")
            #expect(verrou.status == .ok, "\(verrou.texte)")
            let apres = try await banc.comme(a, .post, "/v1/lots/\(a.lot)/notes?attendre=10000", json: Banc.corpsNotes([(copiesA[0], "11")]))
            #expect(apres.status == .conflict)
            #expect(try apres.probleme.code == "lot.verrouille")
            #expect(try await banc.comme(a, .post, "/v1/lots/\(a.lot)/deverrouillage", json: #"{"motif":"erreur"}"#).status == .forbidden)
            #expect(try await banc.appel(.post, "/v1/lots/\(a.lot)/deverrouillage", json: "{}").status == .unprocessableContent)
            let deverrou = try await banc.appel(.post, "/v1/lots/\(a.lot)/deverrouillage", json: #"{"motif":"Erreur de report signalée par le correcteur"}"#)
            #expect(deverrou.status == .ok)
            let corrigee = try await banc.comme(a, .post, "/v1/lots/\(a.lot)/notes?attendre=10000", json: Banc.corpsNotes([(copiesA[0], "11")]))
            #expect(corrigee.status == .ok, "\(corrigee.texte)")
            #expect(try await banc.comme(a, .post, "/v1/lots/\(a.lot)/verrouillage").status == .ok)
            let evenements = try await banc.evenements(LotVerrouille.self, aggregate: "lot:\(a.lot.uuidString.lowercased())")
            #expect(evenements.map(\.verrouille) == [true, false, true])
            #expect(evenements[1].motif == "Erreur de report signalée par le correcteur")
            // The second lot completes the unit: consolidation.
            _ = try await banc.comme(b, .post, "/v1/lots/\(b.lot)/notes?attendre=10000", json: Banc.corpsNotes([(copiesB[0], "7,25"), (copiesB[1], "DI")]))
            let dernier = try await banc.comme(b, .post, "/v1/lots/\(b.lot)/verrouillage")
            #expect(try dernier.json(Verrouillages.Resultat.self).uniteConsolidee)
            let consolidees = try await banc.evenements(NotesConsolidees.self, aggregate: "unite:\(banc.session):U20")
            #expect(consolidees.count == 1)
            let notes = Dictionary(uniqueKeysWithValues: (consolidees.first?.notes ?? []).map { ($0.numeroAnonymat, $0.note.canonique) })
            #expect(notes == [copiesA[0]: "11.00", copiesA[1]: "ABS", copiesB[0]: "7.25", copiesB[1]: "DI"])
            let manquantes = try await banc.appel(.get, "/v1/sessions/\(banc.session)/notes-manquantes")
            #expect(try manquantes.json(SuiviRepository.Manquantes.self).complet)
        }
    }

    @Test("follow-up counts, graders not started, décharge CSV, slips and labels as PDF")
    func suiviEtDocuments() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 30)
            let lots = try await banc.lots(taille: 10)
            let correcteurs = try await banc.correcteurs(lots)
            let copies = try await banc.copies(lots[0].id)
            _ = try await banc.comme(correcteurs[0], .post, "/v1/lots/\(lots[0].id)/notes?attendre=10000",
                                     json: Banc.corpsNotes(copies.map { ($0, "15") }))
            struct Ligne: Decodable { var cle: String; var lots: Int; var attendues: Int; var saisies: Int; var lotsNonCommences: Int }
            struct Liste<T: Decodable>: Decodable { var items: [T] }
            let parUnite = try await banc.appel(.get, "/v1/sessions/\(banc.session)/suivi?par=unite").json(Liste<Ligne>.self).items
            #expect(parUnite.count == 1)
            #expect(parUnite.first?.attendues == 30)
            #expect(parUnite.first?.saisies == 10)
            #expect(parUnite.first?.lotsNonCommences == 2)
            struct Retard: Decodable { var sujet: String }
            let retards = try await banc.appel(.get, "/v1/sessions/\(banc.session)/correcteurs-non-commences").json(Liste<Retard>.self).items
            #expect(Set(retards.map(\.sujet)) == Set([correcteurs[1].sujet, correcteurs[2].sujet]))
            let csv = try await banc.appel(.get, "/v1/sessions/\(banc.session)/decharge.csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.texte.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 11)
            #expect(csv.texte.contains("\(copies[0]);15.00;\(correcteurs[0].sujet);portail"))
            let centre = try await banc.appel(.get, "/v1/sessions/\(banc.session)/suivi?par=lot", .etablissement, scopes: ["uai:\(banc.centre)"])
            #expect(centre.status == .ok)
            let autreCentre = try await banc.appel(.get, "/v1/sessions/\(banc.session)/suivi?par=lot", .etablissement, scopes: ["uai:\(banc.etablissement)"])
            #expect(try autreCentre.json(Liste<Ligne>.self).items.isEmpty)
            let bordereau = try await banc.comme(correcteurs[0], .get, "/v1/lots/\(lots[0].id)/bordereau.pdf")
            #expect(bordereau.status == .ok)
            let texte = try await PDF.texte(Array(buffer: bordereau.corps))
            #expect(texte.contains("Bordereau de notation"))
            #expect(texte.contains(copies[0]))
            #expect(texte.contains("Lot U20 n° 1"))
            let etiquettes = try await banc.appel(.get, "/v1/lots/\(lots[0].id)/etiquettes.pdf")
            #expect(try await PDF.texte(Array(buffer: etiquettes.corps)).contains(copies[9]))
        }
    }
}

func expectEventually(
    timeout: Duration = .seconds(30), _ condition: () async throws -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let ok = try await TestStack.eventually(timeout: timeout, every: .milliseconds(50), condition)
    #expect(ok, "condition not met within \(timeout)", sourceLocation: sourceLocation)
}

