import ServiceKit
import Contracts
import Foundation
import PostgresNIO
import Storage
import Testing
import TestSupport
@testable import Evaluation

/// Issue 12, point 9: after consolidation only a recorded reopening by the gestionnaire unlocks
/// a lot; locks, unlocks and reopenings are in the lot's audit chain; the chain is keyed, so a
/// consistent rewrite of it without the key is caught.
@Suite("Grades after lock: reopening after consolidation, locks in the keyed audit chain")
struct ReouvertureTests {
    @Test("unlocking a lot of a consolidated unit is refused in French; only the gestionnaire's reasoned reopening unlocks it, recorded and chained")
    func deverrouillageApresConsolidation() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 3)
            let lot = try await banc.lots(taille: 3)[0]
            let correcteur = try await banc.correcteurs([lot])[0]
            let copies = try await banc.copies(lot.id)
            let saisie = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                              json: Banc.corpsNotes(copies.map { ($0, "12") }))
            #expect(saisie.status == .ok, "\(saisie.texte)")
            let verrou = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/verrouillage")
            #expect(try verrou.json(Verrouillages.Resultat.self).uniteConsolidee)

            // A plain unlock, even by the gestionnaire with a reason: refused, nothing changes.
            let refus = try await banc.appel(.post, "/v1/lots/\(lot.id)/deverrouillage", json: #"{"motif":"Erreur de report"}"#)
            #expect(refus.status == .conflict)
            #expect(try refus.probleme.code == "lot.consolide")
            #expect(try refus.probleme.message.contains("sont consolidées"))
            #expect(try refus.probleme.message.contains("rouvrir"))
            // A reopening: not by the grader, not without a reason.
            #expect(try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/reouverture", json: #"{"motif":"Erreur de report"}"#)
                .status == .forbidden)
            let sansMotif = try await banc.appel(.post, "/v1/lots/\(lot.id)/reouverture", json: #"{"motif":"  "}"#)
            #expect(sansMotif.status == .unprocessableContent)
            #expect(try sansMotif.probleme.details?.first?.location == "motif")
            #expect(try await banc.database.count("lots", where: "id = '\(lot.id)' AND verrouille") == 1)
            #expect(try await banc.database.count("consolidations", where: "session = '\(banc.session)'") == 1)
            #expect(try await banc.database.count("reouvertures", where: "lot = '\(lot.id)'") == 0)
            // Grades still refused.
            let pendant = try await banc.appel(.post, "/v1/lots/\(lot.id)/notes?attendre=10000", json: Banc.corpsNotes([(copies[0], "14")]))
            #expect(pendant.status == .conflict)

            // The gestionnaire reopens with a reason: unlocked, consolidation withdrawn, recorded.
            let reouverture = try await banc.appel(.post, "/v1/lots/\(lot.id)/reouverture",
                                                   json: #"{"motif":"Copie mal reportée signalée par le centre"}"#)
            #expect(reouverture.status == .ok, "\(reouverture.texte)")
            #expect(try await banc.database.count("lots", where: "id = '\(lot.id)' AND NOT verrouille") == 1)
            #expect(try await banc.database.count("consolidations", where: "session = '\(banc.session)'") == 0)
            #expect(try await banc.database.count(
                "reouvertures", where: "lot = '\(lot.id)' AND par = 'gestionnaire-test' AND motif = 'Copie mal reportée signalée par le centre'") == 1)
            let evenements = try await banc.evenements(LotVerrouille.self, aggregate: "lot:\(lot.id.uuidString.lowercased())")
            #expect(evenements.map(\.verrouille) == [true, false])
            // The grade can now be corrected (the gestionnaire's report), and the lot locked again.
            let correction = try await banc.appel(.post, "/v1/lots/\(lot.id)/notes?attendre=10000", json: Banc.corpsNotes([(copies[0], "14")]))
            #expect(correction.status == .ok, "\(correction.texte)")
            #expect(try await banc.appel(.post, "/v1/lots/\(lot.id)/verrouillage").status == .ok)
            #expect(try await banc.database.count("consolidations", where: "session = '\(banc.session)'") == 1)

            // The chain: 3 grades, lock, reopening (with its reason), 1 correction, lock.
            let rows = try await banc.database.query(SQL.query(
                "SELECT nature, motif, par FROM \(banc.database.table("audit")) WHERE lot = $1 ORDER BY seq", lot.id))
            var natures: [String] = [], motifs: [String?] = []
            for try await (nature, motif, _) in rows.decode((String, String?, String).self) {
                natures.append(nature)
                motifs.append(motif)
            }
            #expect(natures == ["note", "note", "note", "verrouillage", "reouverture", "note", "verrouillage"])
            #expect(motifs[4] == "Copie mal reportée signalée par le centre")
            let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(rapport.valide, "\(rapport.anomalies)")
            #expect(rapport.lignes == 7)
            // Erasing the reopening's trace (the chain row's reason) is caught.
            try await Self.enDirect(banc, ["UPDATE \(banc.database.table("audit")) SET motif = 'rien' WHERE lot = '\(lot.id)' AND seq = 5"])
            let altere = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(altere.anomalies.contains { $0.seq == 5 && $0.probleme.contains("contenu de la ligne a été modifié") })
        }
    }

    @Test("before consolidation a reasoned unlock suffices and a reopening is refused; both lock and unlock are chained")
    func avantConsolidation() async throws {
        try await Banc.avecService { banc in
            try await banc.anonymats(copies: 4)
            let lots = try await banc.lots(taille: 2)
            let correcteur = try await banc.correcteurs(lots)[0]
            let copies = try await banc.copies(correcteur.lot)
            _ = try await banc.comme(correcteur, .post, "/v1/lots/\(correcteur.lot)/notes?attendre=10000",
                                     json: Banc.corpsNotes(copies.map { ($0, "9") }))
            let verrou = try await banc.comme(correcteur, .post, "/v1/lots/\(correcteur.lot)/verrouillage")
            #expect(try verrou.json(Verrouillages.Resultat.self).uniteConsolidee == false)
            let reouverture = try await banc.appel(.post, "/v1/lots/\(correcteur.lot)/reouverture", json: #"{"motif":"Sans objet ici"}"#)
            #expect(reouverture.status == .conflict)
            #expect(try reouverture.probleme.code == "lot.non_consolide")
            #expect(try await banc.appel(.post, "/v1/lots/\(correcteur.lot)/deverrouillage", json: #"{"motif":"Erreur de report"}"#).status == .ok)
            #expect(try await banc.database.count(
                "audit", where: "lot = '\(correcteur.lot)' AND nature IN ('verrouillage', 'deverrouillage') AND numero = ''") == 2)
            let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(rapport.valide, "\(rapport.anomalies)")
        }
    }

    @Test("a consistent rewrite of a chain (every row's hash recomputed as plain SHA-256, the head and the grade moved) is caught, by the API and by verifier-audit")
    func reecritureCoherente() async throws {
        try await Banc.avecService { banc in
            let (lot, copies) = try await AuditTests.lotAudite(banc)
            let a = banc.database.table("audit")
            // Read the chain, change the last grade of copies[0] to 20, recompute every link and
            // hash as an unkeyed chain would have them (SHA-256 computed by PostgreSQL).
            struct Rangee { var seq: Int64; var champs: [String]; var numero: String; var apres: String }
            let rows = try await banc.database.query(SQL.query(
                """
                SELECT seq, numero, avant, apres, revision, par, role, source, commande, instant, nature, motif
                FROM \(a) WHERE lot = $1 ORDER BY seq
                """, lot))
            var rangees: [Rangee] = []
            var derniere: Int64 = 0
            for try await (seq, numero, avant, apres, revision, par, role, source, commande, instant, nature, motif)
                in rows.decode((Int64, String, String?, String, Int64, String, String, String, UUID, Int64, String, String?).self)
            {
                if numero == copies[0] { derniere = seq }
                rangees.append(Rangee(seq: seq, champs: [
                    lot.uuidString.lowercased(), String(seq), numero, avant ?? "\u{0}", apres, String(revision), par, role, source,
                    commande.uuidString.lowercased(), String(instant)], numero: numero, apres: apres) )
                _ = (nature, motif)
            }
            try #require(rangees.count == 10 && derniere > 0)
            var precedent = ""
            var sql: [String] = []
            for var rangee in rangees {
                if rangee.seq == derniere { rangee.champs[4] = "20.00"; rangee.apres = "20.00" }
                let texte = (rangee.champs + [precedent, "note", "\u{0}"]).joined(separator: "\u{1F}")
                let hash = try await Self.sha256(banc, texte)
                sql.append("UPDATE \(a) SET apres = '\(rangee.apres)', precedent = '\(precedent)', empreinte = '\(hash)' WHERE lot = '\(lot)' AND seq = \(rangee.seq)")
                precedent = hash
            }
            sql.append("UPDATE \(banc.database.table("lots")) SET audit_hash = '\(precedent)' WHERE id = '\(lot)'")
            sql.append("UPDATE \(banc.database.table("notes")) SET note = '20.00' WHERE lot = '\(lot)' AND numero = '\(copies[0])'")
            try await Self.enDirect(banc, sql)

            let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            // Links, head and grades are consistent: only the key shows the rewrite, from row 1.
            #expect(!rapport.anomalies.contains { $0.probleme.contains("lien") || $0.probleme.contains("tête") || $0.probleme.contains("dernière valeur") })
            #expect(rapport.anomalies.filter { $0.lot == lot && $0.probleme.contains("contenu de la ligne a été modifié") }.count == 10)
            let api = try await banc.appel(.post, "/v1/sessions/\(banc.session)/audit/verification")
            #expect(try api.json(VerificationAudit.Rapport.self).valide == false)

            let binaire = TestStack.binDirectory.appendingPathComponent("cyclades-evaluation")
            try #require(FileManager.default.isExecutableFile(atPath: binaire.path), "build cyclades-evaluation first")
            let commande = try ChildProcess(binaire, ["verifier-audit", "--session", banc.session], environment: try Banc.environnement())
            #expect(try await commande.waitForExit(timeout: .seconds(60)) == 1)
            #expect(commande.output.contains("ANOMALIE lot \(lot.uuidString) ligne 1"))
            // Without the key the service does not even start verifying.
            var sansCle = try Banc.environnement()
            sansCle[CleAudit.variable] = nil
            let refus = try ChildProcess(binaire, ["verifier-audit", "--session", banc.session], environment: sansCle)
            #expect(try await refus.waitForExit(timeout: .seconds(60)) != 0)
            #expect((refus.output + refus.errors).contains(CleAudit.variable))
        }
    }

    static func sha256(_ banc: Banc, _ texte: String) async throws -> String {
        let rows = try await banc.database.query(SQL.query(
            "SELECT encode(sha256(decode($1, 'hex')), 'hex')", texte.utf8.map { String(format: "%02x", $0) }.joined()))
        for try await hash in rows.decode(String.self) { return hash }
        throw TestStackError("no sha256")
    }

    /// Runs `statements` as the superuser with triggers off, in one transaction: what someone
    /// with full access to the database (but not to the service's environment) could do.
    static func enDirect(_ banc: Banc, _ statements: [String]) async throws {
        let admin = Database(configuration: try TestStack.database("admin", schema: banc.database.schema), logger: TestStack.logger("test.admin"))
        try await TestStack.withRunningClient(admin.client) {
            try await admin.transaction { connection in
                try await connection.query("SET LOCAL session_replication_role = replica", logger: admin.logger)
                for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: admin.logger) }
            }
        }
    }
}
