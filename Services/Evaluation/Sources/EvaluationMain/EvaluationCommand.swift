import ArgumentParser
import Evaluation
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
            DeadLetterCommand<EvaluationService>.self,
            VerifierAudit.self,
        ],
        defaultSubcommand: ServeCommand<EvaluationService>.self)
}

/// `cyclades-evaluation worker`: one competing consumer of the work queue `evaluation.saisie`,
/// with the outbox relay (elected: one relay of the service publishes at a time). No HTTP server.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Handle grade-entry commands from evaluation.saisie until SIGTERM.")

    @Option(help: "Unacknowledged commands the broker may send ahead (a batch is half of it), 1...10000.")
    var prefetch: Int = 500

    @Option(help: "Milliseconds a batch keeps filling after its last command (throughput against latency), 0...1000.")
    var lingerMs: Int = 10

    func validate() throws {
        guard (1...10_000).contains(prefetch) else { throw ValidationError("--prefetch: 1...10000") }
        guard (0...1_000).contains(lingerMs) else { throw ValidationError("--linger-ms: 0...1000") }
    }

    func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: EvaluationService.name)
        Observability.bootstrap(level: configuration.logLevel)
        let runtime = await ServiceRuntime(configuration: configuration)
        runtime.logger.info("evaluation worker starting", metadata: ["prefetch": "\(prefetch)", "linger.ms": "\(lingerMs)"])
        try await runtime.run(
            EvaluationService.self,
            parts: EvaluationService.worker(runtime, prefetch: prefetch, linger: .milliseconds(lingerMs)))
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
