import Foundation

/// What the numbers were measured on.
struct Machine: Sendable {
    var processors: Int
    var cpuModel: String
    var memoryGB: Double
    var kernel: String
    var versions: String
    var loadBefore: String

    static func describe() async -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        var versions = "?"
        if let output = try? await ChildProcess.run(
            "/usr/bin/dpkg-query", ["-W", "-f", "${Package} ${Version}, ", "rabbitmq-server", "librabbitmq4", "postgresql-15"],
            timeoutSeconds: 10), output.status == 0 || !output.stdout.isEmpty
        {
            versions = String(output.stdout.dropLast(2))
        }
        return Machine(
            processors: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model,
            memoryGB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824, kernel: kernel,
            versions: versions, loadBefore: loadAverage())
    }

    /// The 1, 5 and 15 minute load averages (other work on the machine skews the numbers).
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// The markdown report: one table with the medians and the ratios side by side, then details.
struct Report {
    let options: Options
    let rounds: [Benchmark.Round]
    let outbox: OutboxBenchmark.Result?
    let machine: Machine
    let loadAfter: String

    static let goal = 0.8

    var markdown: String {
        var lines: [String] = []
        lines.append("## cyclades-load: Swift AMQP wrapper vs rabbitmq-c, outbox end to end")
        lines.append("")
        lines.append("| measure | C rabbitmq-c | Swift wrapper | ratio (Swift/C) |")
        lines.append("|---|---:|---:|---:|")
        if !rounds.isEmpty {
            let w = options.window, p = options.prefetch, a = options.ackEvery
            lines.append(row("publish, confirms pipelined (window \(w)), msg/s", \.cPublish, \.swiftPublish, \.rate, decimals: 0))
            lines.append(row("consume (prefetch \(p), ack multiple every \(a)), msg/s", \.cConsume, \.swiftConsume, \.rate, decimals: 0))
            lines.append(row("publish: client CPU, µs/msg (lower is better)", \.cPublish, \.swiftPublish, \.clientMicrosPerMessage, decimals: 1))
            lines.append(row("consume: client CPU, µs/msg (lower is better)", \.cConsume, \.swiftConsume, \.clientMicrosPerMessage, decimals: 1))
            if rounds.allSatisfy({ $0.cPublish.brokerCPU != nil && $0.swiftPublish.brokerCPU != nil }) {
                lines.append(row("publish: broker CPU, µs/msg", \.cPublish, \.swiftPublish, { $0.brokerMicrosPerMessage ?? .nan }, decimals: 1))
                lines.append(row("consume: broker CPU, µs/msg", \.cConsume, \.swiftConsume, { $0.brokerMicrosPerMessage ?? .nan }, decimals: 1))
            }
        }
        if let outbox {
            lines.append("| outbox end to end (commit → handled in \(outbox.consumer.hasPrefix("cyclades-messaging-probe") ? "another process" : "this process")), events/s | — | \(format(outbox.rate)) | — |")
        }
        lines.append("")
        if !rounds.isEmpty {
            let publish = median(rounds.map { $0.swiftPublish.rate / $0.cPublish.rate })
            let consume = median(rounds.map { $0.swiftConsume.rate / $0.cConsume.rate })
            func verdict(_ ratio: Double) -> String { ratio >= Self.goal ? "met" : "NOT met" }
            lines.append("Goal Swift ≥ \(Self.goal)× C: publish \(format(publish, decimals: 2))× (\(verdict(publish))), consume \(format(consume, decimals: 2))× (\(verdict(consume))).")
            lines.append("Values are medians of \(rounds.count) rounds (after a discarded warm-up round: \(options.warmup ? "yes" : "no")); a ratio is the median of the per-round ratios (each round runs both clients back to back).")
            lines.append("")
            lines.append("Per round (msg/s):")
            lines.append("")
            lines.append("| round | order | publish C | publish Swift | ratio | consume C | consume Swift | ratio |")
            lines.append("|---:|---|---:|---:|---:|---:|---:|---:|")
            for round in rounds {
                lines.append("| \(round.index) | \(round.swiftFirst ? "Swift, C" : "C, Swift") | \(format(round.cPublish.rate)) | \(format(round.swiftPublish.rate)) | \(format(round.swiftPublish.rate / round.cPublish.rate, decimals: 2)) | \(format(round.cConsume.rate)) | \(format(round.swiftConsume.rate)) | \(format(round.swiftConsume.rate / round.cConsume.rate, decimals: 2)) |")
            }
            lines.append("")
        }
        if let outbox {
            lines.append("Outbox end to end: \(format(Double(outbox.events))) `ProbeEvent`s in \(outbox.transactions) transactions of \(options.eventsPerTransaction) (`OutboxWriter`), relayed by an `OutboxRelay` in this process (batch 1000, window 500), handled by \(outbox.consumer) — one INSERT per event into `effects`; timed from the first commit until `effects` counts them all (polled every 25 ms).")
            lines.append("")
            lines.append("| stage (from the first commit) | seconds | events/s |")
            lines.append("|---|---:|---:|")
            lines.append("| all committed (writers) | \(format(outbox.writeSeconds, decimals: 2)) | \(format(Double(outbox.events) / outbox.writeSeconds)) |")
            if let relay = outbox.relaySeconds {
                lines.append("| all published and marked sent (relay) | \(format(relay, decimals: 2)) | \(format(Double(outbox.events) / relay)) |")
            }
            lines.append("| all handled (consumer) | \(format(outbox.seconds, decimals: 2)) | \(format(outbox.rate)) |")
            lines.append("")
        }
        lines.append("Settings: \(format(Double(options.messages))) persistent messages of \(options.size) bytes per run, durable topic exchange → durable quorum queue (fresh per client and round), publisher window \(options.window), consumer prefetch \(options.prefetch), ack `multiple` every \(options.ackEvery), \(options.rounds) rounds; outbox \(format(Double(options.events))) events, \(options.eventsPerTransaction) per transaction.")
        lines.append("Machine: nproc \(machine.processors), \(machine.cpuModel), \(format(machine.memoryGB, decimals: 1)) GB, Linux \(machine.kernel); \(machine.versions); broker and database on the same machine; load average \(machine.loadBefore) before, \(loadAfter) after.")
        lines.append("Timing: C from its own JSON (publish: first publish → last confirm; consume: first → last delivery); Swift with `ContinuousClock` (publish: `AMQPPublisher.publish` of the whole batch, connection already open; consume: first batch → last `multiple` ack). Client CPU: the whole C process (getrusage of children) vs this process over the Swift run (connection, message construction and teardown included).")
        return lines.joined(separator: "\n")
    }

    private func row(
        _ title: String, _ c: KeyPath<Benchmark.Round, Sample>, _ swift: KeyPath<Benchmark.Round, Sample>,
        _ value: (Sample) -> Double, decimals: Int
    ) -> String {
        let cValues = rounds.map { value($0[keyPath: c]) }
        let swiftValues = rounds.map { value($0[keyPath: swift]) }
        let ratio = median(zip(cValues, swiftValues).map { $1 / $0 })
        return "| \(title) | \(format(median(cValues), decimals: decimals)) | \(format(median(swiftValues), decimals: decimals)) | \(format(ratio, decimals: 2)) |"
    }
}
