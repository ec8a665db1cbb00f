import Foundation
import PostgresNIO
import Storage
import Testing
import TestSupport
@testable import Evaluation

@Suite("The hash-chained audit detects what is changed behind its back")
struct AuditTests {
    /// A lot with two rounds of grades (so that its chain has 2 × copies rows).
    static func lotAudite(_ banc: Banc) async throws -> (lot: UUID, copies: [String]) {
        try await banc.anonymats(copies: 5)
        let lot = try await banc.lots(taille: 5)[0]
        let correcteur = try await banc.correcteurs([lot])[0]
        let copies = try await banc.copies(lot.id)
        for note in ["10", "11"] {
            let reponse = try await banc.comme(correcteur, .post, "/v1/lots/\(lot.id)/notes?attendre=10000",
                                               json: Banc.corpsNotes(copies.map { ($0, note) }))
            #expect(reponse.status == .ok)
        }
        let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
        #expect(rapport.valide, "\(rapport.anomalies)")
        #expect(rapport.lignes == 10)
        return (lot.id, copies)
    }

    /// Runs `sql` as the superuser with triggers off (`session_replication_role = replica`): what
    /// someone with full access to the database could do.
    static func enDirect(_ banc: Banc, _ sql: String) async throws {
        let admin = Database(configuration: try TestStack.database("admin", schema: banc.database.schema), logger: TestStack.logger("test.admin"))
        try await TestStack.withRunningClient(admin.client) {
            try await admin.transaction { connection in
                try await connection.query("SET LOCAL session_replication_role = replica", logger: admin.logger)
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: admin.logger)
            }
        }
    }

    @Test("the chain's UUID text is Foundation's lowercased uuidString, for any UUID")
    func texteUUID() {
        for uuid in (0..<1_000).map({ _ in UUID() }) + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))] {
            #expect(ChaineAudit.texte(uuid) == uuid.uuidString.lowercased())
        }
    }

    @Test("the service's own role cannot UPDATE or DELETE the audit (append-only trigger)")
    func ajoutSeul() async throws {
        try await Banc.avecService { banc in
            let (lot, _) = try await Self.lotAudite(banc)
            await #expect(throws: (any Error).self) {
                try await banc.database.query(SQL.query("UPDATE \(banc.database.table("audit")) SET apres = '20.00' WHERE lot = $1", lot))
            }
            await #expect(throws: (any Error).self) {
                try await banc.database.query(SQL.query("DELETE FROM \(banc.database.table("audit")) WHERE lot = $1", lot))
            }
        }
    }

    @Test("an UPDATE made directly in the database is detected (row content and grade)")
    func update() async throws {
        try await Banc.avecService { banc in
            let (lot, copies) = try await Self.lotAudite(banc)
            let t = banc.database.table("audit")
            try await Self.enDirect(banc, "UPDATE \(t) SET apres = '20.00' WHERE lot = '\(lot)' AND seq = 7")
            let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(!rapport.valide)
            #expect(rapport.anomalies.contains { $0.lot == lot && $0.seq == 7 && $0.probleme.contains("contenu de la ligne a été modifié") })
            // A grade changed without going through the service: it is no longer what the audit says.
            try await Self.enDirect(banc, "UPDATE \(banc.database.table("notes")) SET note = '19.00' WHERE lot = '\(lot)' AND numero = '\(copies[0])'")
            let second = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(second.anomalies.contains { $0.copie == copies[0] && $0.probleme.contains("n'est pas la dernière valeur du journal") })
        }
    }

    @Test("a DELETE made directly in the database is detected (in the middle and at the end)")
    func delete() async throws {
        try await Banc.avecService { banc in
            let (lot, _) = try await Self.lotAudite(banc)
            let t = banc.database.table("audit")
            try await Self.enDirect(banc, "DELETE FROM \(t) WHERE lot = '\(lot)' AND seq = 4")
            let milieu = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(milieu.anomalies.contains { $0.seq == 5 && $0.probleme.contains("absente(s) du journal") })
            try await Self.enDirect(banc, "DELETE FROM \(t) WHERE lot = '\(lot)' AND seq = 10")
            let fin = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(fin.anomalies.contains { $0.probleme.contains("tête de chaîne") })
        }
    }

    @Test("an INSERT made directly in the database is detected, even with a well-formed link")
    func insert() async throws {
        try await Banc.avecService { banc in
            let (lot, copies) = try await Self.lotAudite(banc)
            let t = banc.database.table("audit")
            // A forged 11th row chained to the real 10th, its hash computed as the service would.
            let rows = try await banc.database.query(SQL.query("SELECT empreinte FROM \(t) WHERE lot = $1 AND seq = 10", lot))
            var precedent = ""
            for try await empreinte in rows.decode(String.self) { precedent = empreinte }
            let forgee = ChaineAudit.Ligne(
                lot: lot, seq: 11, numero: copies[0], avant: "11.00", apres: "18.00", revision: 1, par: "intrus", role: "correcteur",
                source: "portail", commande: UUID(), instant: 1, precedent: precedent)
            try await Self.enDirect(banc, """
                INSERT INTO \(t) (lot, seq, numero, avant, apres, revision, par, role, source, commande, instant, precedent, empreinte)
                VALUES ('\(lot)', 11, '\(copies[0])', '11.00', '18.00', 1, 'intrus', 'correcteur', 'portail', '\(forgee.commande)', 1,
                        '\(precedent)', '\(ChaineAudit.empreinte(forgee, cle: banc.cle))')
                """)
            let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            #expect(rapport.anomalies.contains { $0.lot == lot && $0.probleme.contains("tête de chaîne") })
            #expect(rapport.anomalies.contains { $0.copie == copies[0] && $0.probleme.contains("n'est pas la dernière valeur") })
        }
    }

    @Test("verifier-audit, the command: exit 0 when intact, 1 listing the anomaly after a direct UPDATE")
    func commande() async throws {
        try await Banc.avecService { banc in
            let (lot, _) = try await Self.lotAudite(banc)
            let binaire = TestStack.binDirectory.appendingPathComponent("cyclades-evaluation")
            try #require(FileManager.default.isExecutableFile(atPath: binaire.path), "build cyclades-evaluation first")
            let environnement = try Banc.environnement()
            let intact = try ChildProcess(binaire, ["verifier-audit", "--session", banc.session], environment: environnement)
            #expect(try await intact.waitForExit(timeout: .seconds(60)) == 0)
            #expect(intact.output.contains("journal d'audit intègre"))
            try await Self.enDirect(banc, "UPDATE \(banc.database.table("audit")) SET par = 'quelquun' WHERE lot = '\(lot)' AND seq = 2")
            let altere = try ChildProcess(binaire, ["verifier-audit", "--session", banc.session], environment: environnement)
            #expect(try await altere.waitForExit(timeout: .seconds(60)) == 1)
            #expect(altere.output.contains("ANOMALIE lot \(lot.uuidString) ligne 2"))
        }
    }
}
