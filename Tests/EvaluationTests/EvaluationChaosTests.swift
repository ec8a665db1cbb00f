import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport
@testable import Evaluation

/// Worker processes SIGKILLed every few seconds and restarted, RabbitMQ restarted once and
/// PostgreSQL restarted once, while graders submit through the API: at the end every grade is
/// stored exactly once with its last revision and the audit chain verifies. Run apart from the
/// other suites (`deploy/local/test` runs `--filter Chaos` last, serially), best on a stack of
/// its own: `CYCLADES_STACK_NAME=chaos CYCLADES_STACK_DIR=/var/tmp/cyclades-chaos`.
/// `CYCLADES_CHAOS_NOTES` sets the size (default 20,000 grades; the issue's run is 100,000).
@Suite("Evaluation under worker kills, a broker restart and a database restart", .serialized)
struct EvaluationChaosTests {
    static var taille: Int { Int(ProcessInfo.processInfo.environment["CYCLADES_CHAOS_NOTES"] ?? "") ?? 20_000 }

    /// What the graders were told: for each copy, the value of the last accepted save.
    final class Registre: Sendable {
        let attendues = Mutex<[String: String]>([:])
        let acceptees = Mutex<Set<UUID>>([])
        let lignes = Atomic<Int>(0)
        let essais = Atomic<Int>(0)
        let corrections = Atomic<Int>(0)
        let envois = Atomic<Int>(0)
    }

    /// The submissions are paced to last about `duree`, so that the kills and restarts happen
    /// while grades flow (an unpaced small run would be over before the first one).
    static var duree: Duration { .seconds(Int(ProcessInfo.processInfo.environment["CYCLADES_CHAOS_SECONDES"] ?? "") ?? 40) }

    @Test("every grade stored exactly once with its last revision; audit intact")
    func chaos() async throws {
        let binaire = TestStack.binDirectory.appendingPathComponent("cyclades-evaluation")
        try #require(FileManager.default.isExecutableFile(atPath: binaire.path), "build cyclades-evaluation first")
        try await Banc.avecService(travailleurs: 0) { banc in
            let total = Self.taille
            let taille = 50
            try await banc.anonymats(copies: total)
            let lots = try await banc.lots(taille: taille)
            let correcteurs = try await banc.correcteurs(lots)
            var lus: [UUID: [String]] = [:]
            let rows = try await banc.database.query(SQL.query(
                "SELECT lot, numero FROM \(banc.database.table("copies")) WHERE session = $1 ORDER BY lot, numero", banc.session))
            for try await (lot, numero) in rows.decode((UUID, String).self) { lus[lot, default: []].append(numero) }
            let copiesParLot = lus
            let registre = Registre()
            let environnement = try Banc.environnement()
            let debut = ContinuousClock.now

            // The supervisor: 2 workers, one SIGKILLed and restarted every 3 s; a dead one restarted.
            let fin = Atomic<Bool>(false)
            let tues = Atomic<Int>(0)
            let superviseur = Task {
                var travailleurs = try (0..<2).map { _ in try ChildProcess(binaire, ["worker", "--prefetch", "300"], environment: environnement) }
                var tour = 0
                while !fin.load(ordering: .relaxed) {
                    try? await Task.sleep(for: .seconds(3))
                    tour += 1
                    let victime = tour % travailleurs.count
                    if travailleurs[victime].isRunning {
                        kill(travailleurs[victime].process.processIdentifier, SIGKILL)
                        tues.add(1, ordering: .relaxed)
                    }
                    for index in travailleurs.indices where !travailleurs[index].isRunning {
                        travailleurs[index] = try ChildProcess(binaire, ["worker", "--prefetch", "300"], environment: environnement)
                    }
                }
                for travailleur in travailleurs { travailleur.stop() }
            }
            // The infrastructure: RabbitMQ restarted once, PostgreSQL once.
            let pannes = Task {
                try await Task.sleep(for: .seconds(6))
                print("chaos: stopping RabbitMQ")
                try await TestStack.stack("rabbitmq", "stop")
                try await Task.sleep(for: .seconds(3))
                try await TestStack.stack("rabbitmq", "start")
                print("chaos: RabbitMQ back at \(ContinuousClock.now - debut)")
                try await Task.sleep(for: .seconds(8))
                print("chaos: stopping PostgreSQL")
                try await TestStack.stack("postgres", "stop")
                try await Task.sleep(for: .seconds(3))
                try await TestStack.stack("postgres", "start")
                print("chaos: PostgreSQL back at \(ContinuousClock.now - debut)")
            }

            // Whatever happens below, the supervisor stops and stops its workers: a failed run must
            // not leave worker processes consuming the shared queue.
            do {
            let commandes = lots.count * 5 + lots.count * 3  // 50 copies: 5 commands, then 25 corrections: 3
            // The graders: 32 at once, each lot in commands of 10 grades, then a second pass
            // correcting every other copy (a later revision that must win).
            try await withThrowingTaskGroup(of: Void.self) { group in
                let file = FileDeLots(Array(zip(lots, correcteurs)))
                for _ in 0..<32 {
                    group.addTask {
                        while let (lot, correcteur) = file.file.withLock({ $0.popLast() }) {
                            let copies = copiesParLot[lot.id] ?? []
                            for passe in 0..<2 {
                                let visees = passe == 0 ? copies : copies.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                                if passe == 1 { registre.corrections.add(visees.count, ordering: .relaxed) }
                                for debutLot in stride(from: 0, to: visees.count, by: 10) {
                                    let tranche = visees[debutLot..<min(debutLot + 10, visees.count)]
                                    let notes = tranche.map { ($0, Self.note(for: $0, passe: passe)) }
                                    let rang = registre.envois.wrappingAdd(1, ordering: .relaxed).oldValue
                                    let echeance = debut + Self.duree * (Double(rang) / Double(commandes))
                                    if echeance > ContinuousClock.now { try await Task.sleep(until: echeance) }
                                    try await Self.soumettre(banc, correcteur, lot.id, notes, registre)
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let soumis = ContinuousClock.now - debut
            try await pannes.value
            // Drained: every accepted command is recorded.
            let acceptees = registre.acceptees.withLock { Array($0) }
            let toutes = try await TestStack.eventually(timeout: .seconds(300), every: .milliseconds(500)) {
                (try? await Self.compterCommandes(banc, acceptees)) == acceptees.count
            }
            fin.store(true, ordering: .relaxed)
            try await superviseur.value
            #expect(toutes, "every accepted command handled")

            let attendues = registre.attendues.withLock { $0 }
            var stockees: [String: String] = [:]
            var lignesNotes = 0
            let notes = try await banc.database.query(SQL.query(
                "SELECT n.numero, n.note FROM \(banc.database.table("notes")) n JOIN \(banc.database.table("lots")) l ON l.id = n.lot WHERE l.session = $1",
                banc.session))
            for try await (numero, note) in notes.decode((String, String).self) {
                lignesNotes += 1
                stockees[numero] = note
            }
            let fausses = attendues.filter { stockees[$0.key] != $0.value }
            let audit = try await banc.database.count("audit", where: "lot IN (SELECT id FROM \(banc.database.table("lots")) WHERE session = '\(banc.session)')")
            let rapport = try await VerificationAudit(database: banc.database, cle: banc.cle).verifier(session: banc.session)
            print("""
                chaos: \(total) copies in \(lots.count) lots; \(registre.lignes.load(ordering: .relaxed)) grades submitted in \
                \(acceptees.count) accepted commands (\(registre.essais.load(ordering: .relaxed)) HTTP attempts) in \(soumis); \
                \(tues.load(ordering: .relaxed)) workers SIGKILLed; rows: notes \(lignesNotes), commandes \(try await Self.compterCommandes(banc, acceptees)), \
                audit \(audit); wrong or missing grades \(fausses.count); audit chain \(rapport.valide ? "intact" : "BROKEN: \(rapport.anomalies.prefix(5))")
                """)
            #expect(lignesNotes == total, "one row per copy")
            #expect(fausses.isEmpty, "every grade has its last revision: \(fausses.prefix(5))")
            // One audit row per applied change: the first entry, then the correction — unless a
            // worker saw the correction first, and the older first entry was then (rightly) ignored.
            #expect(audit >= total && audit <= total + registre.corrections.load(ordering: .relaxed))
            #expect(rapport.valide, "\(rapport.anomalies.prefix(5))")
            #expect(tues.load(ordering: .relaxed) >= 2)
            } catch {
                fin.store(true, ordering: .relaxed)
                _ = await superviseur.result
                throw error
            }
        }
    }

    final class FileDeLots: Sendable {
        let file: Mutex<[(Lot, Banc.Correcteur)]>
        init(_ lots: [(Lot, Banc.Correcteur)]) { file = Mutex(lots) }
    }

    static func note(for copie: String, passe: Int) -> String {
        let base = abs(copie.hashValue) % 80
        return String(format: "%d,%02d", (base + passe) / 4, ((base + passe) % 4) * 25)
    }

    /// Sends until accepted (202), resending the same command id after a failure (5xx, a broken
    /// connection): the worker makes a resent command change nothing twice.
    static func soumettre(_ banc: Banc, _ correcteur: Banc.Correcteur, _ lot: UUID, _ notes: [(String, String)], _ registre: Registre) async throws {
        let commande = UUID()
        var backoff = 100
        while true {
            registre.essais.add(1, ordering: .relaxed)
            let reponse = try? await banc.comme(correcteur, .post, "/v1/lots/\(lot)/notes", json: Banc.corpsNotes(notes, commande: commande))
            if let reponse, reponse.status == .accepted || reponse.status == .ok {
                registre.acceptees.withLock { _ = $0.insert(commande) }
                registre.attendues.withLock { attendues in
                    for (copie, note) in notes { attendues[copie] = try! Note.canonique(note) }
                }
                registre.lignes.add(notes.count, ordering: .relaxed)
                return
            }
            if let reponse, reponse.status.code < 500 { throw TestStackError("refused: \(reponse.status) \(reponse.texte)") }
            try await Task.sleep(for: .milliseconds(backoff))
            backoff = min(backoff * 2, 2_000)
        }
    }

    static func compterCommandes(_ banc: Banc, _ ids: [UUID]) async throws -> Int {
        let rows = try await banc.database.query(SQL.query(
            "SELECT count(*)::int8 FROM \(banc.database.table("commandes")) WHERE id = ANY($1)", ids))
        for try await n in rows.decode(Int64.self) { return Int(n) }
        return 0
    }
}

import Domain

extension Note {
    static func canonique(_ texte: String) throws -> String { try Note.parse(texte, pas: .centieme).canonique }
}
