import AMQP
import AsyncHTTPClient
import Foundation
import Messaging
import PostgresNIO
import Storage
import TestSupport

/// `cyclades-load evaluation --mode file|file-unitaire`: the workers alone. The work queue
/// `evaluation.saisie` is filled first with every command of a fresh session (whole lots, or one
/// grade per command), exactly as the API publishes them; then N `cyclades-evaluation worker`
/// processes are started and the queue is timed until every grade is stored. Nothing else runs
/// meanwhile (no HTTP, no API), so the rate is what N workers and PostgreSQL can apply — the
/// measure of "add workers, throughput rises", and of where it stops rising.
extension EvaluationLoad {
    static func vider(_ mode: String, _ options: Options, client: HTTPClient, admin: Database) async throws -> [String] {
        guard let binaire = options.travailleur else { throw Erreur("--mode \(mode) needs --worker-bin PATH (cyclades-evaluation)") }
        var lignes: [String] = []
        for travailleurs in options.travailleurs {
            let banc = try await Banc.preparer(options, client: client, admin: admin)
            let messages = commandes(banc, unitaire: mode == "file-unitaire")
            let total = banc.lots.reduce(0) { $0 + $1.copies.count }
            log("\(mode): publishing \(messages.count) commands (\(total) grades) on evaluation.saisie, no worker running")
            let connexion = try await AMQPConnection.connect(try TestStack.amqp("admin", connectionName: "load-evaluation-file"))
            try await connexion.publish(messages, window: 1_000)
            await connexion.close()

            log("\(mode): starting \(travailleurs) worker(s)")
            var environnement = try TestStack.environment("evaluation")
            environnement["CYCLADES_LOG_LEVEL"] = "warning"
            let avant = Processus.releve(stack: options.stack)
            let debut = ContinuousClock.now
            let processus = try (0..<travailleurs).map { _ in
                try TestSupport.ChildProcess(URL(fileURLWithPath: binaire), ["worker", "--prefetch", "500", "--linger-ms", "10"], environment: environnement)
            }
            // Done when every grade has its audit row: `lots.audit_seq` counts a lot's grade
            // changes, and each grade is entered once here. Read through the lots' index, cheap
            // enough to poll every 50 ms without weighing on what it measures.
            var stockees: Int64 = 0
            while stockees < total {
                if ContinuousClock.now - debut > .seconds(600) { break }
                if let mort = processus.first(where: { !$0.isRunning }) { throw Erreur("a worker exited: \(mort.errors.suffix(2_000))") }
                try await Task.sleep(for: .milliseconds(50))
                let rows = try await admin.query(SQL.query(
                    "SELECT coalesce(sum(audit_seq), 0)::int8 FROM \"evaluation\".lots WHERE session = $1", banc.session))
                for try await n in rows.decode(Int64.self) { stockees = n }
            }
            let duree = ContinuousClock.now - debut
            let apres = Processus.ecart(avant, Processus.releve(stack: options.stack))
            for p in processus { p.stop() }
            let secondes = Double(duree.components.seconds) + Double(duree.components.attoseconds) / 1e18
            let parDixMille = 10_000 / Double(max(total, 1))
            let cpu = ["worker", "api", "postgres", "rabbitmq"].map { cle in
                String(format: "%.2f", apres[cle, default: 0] * parDixMille)
            }.joined(separator: " · ")
            log("\(mode): \(travailleurs) worker(s): \(stockees) of \(total) grades stored in \(String(format: "%.1f", secondes)) s")
            lignes.append(String(format: "| %d | %@ | %d | %d | %.1f | %.0f | %@ |",
                                 travailleurs, mode, messages.count, Int(stockees), secondes, Double(stockees) / secondes, cpu))
        }
        return lignes
    }

    /// The commands as the API publishes them (`CommandeSaisie` in its envelope on
    /// `cyclades.commands`, routing key `evaluation.saisie`, confirmed): canonical grades, the
    /// lot's grader as author.
    static func commandes(_ banc: Banc, unitaire: Bool) -> [AMQPOutgoingMessage] {
        var messages: [AMQPOutgoingMessage] = []
        let instant = Date().formatted(.iso8601)
        var revision = Int64(Date().timeIntervalSince1970 * 1_000_000)
        func message(lot: String, par: String, lignes: [(String, String)]) {
            let id = UUID().uuidString.lowercased()
            revision += 1
            let commande = #"{"id":"\#(id)","lot":"\#(lot)","revision":\#(revision),"par":"\#(par)","role":"correcteur","source":"portail","lignes":["#
                + lignes.map { #"["\#($0.0)","\#($0.1)"]"# }.joined(separator: ",") + "]}"
            let corps = #"{"correlationId":"\#(id)","id":"\#(id)","occurredAt":"\#(instant)","payload":\#(commande),"#
                + #""producer":"evaluation","type":"evaluation.saisie","version":1}"#
            messages.append(AMQPOutgoingMessage(
                exchange: Topology.commands, routingKey: "evaluation.saisie", body: Array(corps.utf8), messageID: id,
                type: "evaluation.saisie", correlationID: id, mandatory: true))
        }
        for lot in banc.lots {
            let lignes = lot.copies.enumerated().map { ($1, String(format: "%d.%02d", ($0 * 7) % 20, ($0 % 4) * 25)) }
            if unitaire {
                for ligne in lignes { message(lot: lot.id, par: lot.sujet, lignes: [ligne]) }
            } else {
                message(lot: lot.id, par: lot.sujet, lignes: lignes)
            }
        }
        if unitaire { messages.shuffle() }
        return messages
    }
}
