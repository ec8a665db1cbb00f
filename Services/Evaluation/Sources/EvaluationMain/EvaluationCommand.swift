import AMQP
import ArgumentParser
import Evaluation
import Foundation
import Messaging
import ServiceKit
import Storage

@main
struct EvaluationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cyclades-evaluation",
        abstract: "Cyclades BP — Evaluation service.",
        subcommands: [
            ServeCommand<EvaluationService>.self,
            WorkerCommand.self,
            MigrateCommand<EvaluationService>.self,
            DeadLetters.self,
            VerifierAudit.self,
        ],
        defaultSubcommand: ServeCommand<EvaluationService>.self)
}

/// `cyclades-evaluation worker`: one competing consumer of the work queue `evaluation.saisie`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Handle grade-entry commands from evaluation.saisie until SIGTERM.")

    @Option(help: "Unacknowledged commands the broker may send ahead (a batch is half of it).")
    var prefetch: Int = 500

    @Option(help: "Milliseconds a batch keeps filling after its last command (throughput against latency).")
    var lingerMs: Int = 10

    func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: EvaluationService.name)
        Observability.bootstrap(level: configuration.logLevel)
        let runtime = await ServiceRuntime(configuration: configuration)
        try await EvaluationWorker.run(runtime: runtime, prefetch: prefetch, attente: .milliseconds(lingerMs))
    }
}

/// `cyclades-evaluation dlq list|show|replay [--queue saisie|events]`.
struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect and replay the dead letters of evaluation.saisie or evaluation.events.")

    @Argument(help: "list, show or replay") var action: String
    @Option(help: "saisie (the work queue) or events") var queue: String = "saisie"
    @Option(help: "The message id (show: required; replay: only this one, else all).") var id: String?
    @Option(help: "At most this many messages listed.") var limit: Int = 100

    func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: EvaluationService.name)
        guard ["saisie", "events"].contains(queue) else { throw ValidationError("--queue saisie|events") }
        let admin = DeadLetterAdmin(configuration: configuration.amqp, queue: "evaluation.\(queue)")
        switch action {
        case "list":
            let letters = try await admin.list(limit: limit)
            print("\(letters.count) dead letter(s) in \(admin.deadLetterQueue)")
            for letter in letters { print("\(letter.messageID ?? "-")\t\(letter.type ?? "-")\t\(letter.reason ?? "")") }
        case "show":
            guard let id else { throw ValidationError("--id is required with show") }
            guard let letter = try await admin.list(limit: .max).first(where: { $0.messageID == id }) else {
                throw ValidationError("no dead letter with id \(id)")
            }
            print(letter.body)
        case "replay":
            print("\(try await admin.replay(messageID: id)) message(s) replayed into \(admin.queue)")
        default:
            throw ValidationError("list, show or replay")
        }
    }
}

/// `cyclades-evaluation verifier-audit [--session CODE]`: walks the audit's hash chains; exit 0
/// when intact, 1 with every anomaly listed otherwise.
struct VerifierAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier-audit", abstract: "Verify the hash chain of the grade audit (altered, deleted or inserted rows).")

    @Option(help: "Only this session.") var session: String?

    func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: EvaluationService.name)
        let rapport = try await EvaluationAudit.verifier(configuration: configuration, session: session)
        print("\(rapport.lots) lot(s), \(rapport.lignes) ligne(s) d'audit vérifiée(s)")
        for anomalie in rapport.anomalies {
            print("ANOMALIE lot \(anomalie.lot) ligne \(anomalie.seq.map(String.init) ?? "-") copie \(anomalie.copie ?? "-") : \(anomalie.probleme)")
        }
        if rapport.anomalies.isEmpty {
            print("journal d'audit intègre")
        } else {
            print("\(rapport.anomalies.count) anomalie(s)")
            throw ExitCode(1)
        }
    }
}
