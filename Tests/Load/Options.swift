import Foundation

/// Command line of `cyclades-load` (plain flags: ArgumentParser is not a dependency here).
struct Options: Sendable {
    var messages = 50_000
    var size = 200
    var window = 1_000
    var prefetch = 500
    var ackEvery = 250
    var rounds = 3
    var warmup = true
    var events = 20_000
    var eventsPerTransaction = 100
    var baseline: String
    var probe: String
    var consumer: ConsumerMode = .auto
    var parts: Set<Part> = [.amqp, .outbox]
    /// Per C process / per Swift operation: give up after this long.
    var timeoutSeconds = 300
    /// `--diagnose consume`: the consumer at several layers of the wrapper instead of the report.
    var diagnose: String?

    enum ConsumerMode: String, Sendable { case auto, probe, inProcess = "in-process" }
    enum Part: String, Sendable { case amqp, outbox }

    static let usage = """
        usage: cyclades-load [options]
          --messages N        messages per publish/consume run            (50000)
          --size BYTES        message body size                           (200)
          --window W          unconfirmed publishes in flight             (1000)
          --prefetch P        consumer prefetch                           (500)
          --ack-every A       ack `multiple` every A deliveries           (250)
          --rounds R          measured rounds, C and Swift in each        (3)
          --no-warmup         do not run (and discard) a warm-up round first
          --events E          outbox end-to-end events                    (20000)
          --batch B           outbox events per transaction               (100)
          --only amqp|outbox  run one part only
          --consumer auto|probe|in-process
                              where the outbox consumer runs (auto: the probe if present)
          --baseline PATH     the C program            (default: amqp_baseline next to this binary)
          --probe PATH        the messaging probe      (default: cyclades-messaging-probe next to it)
          --timeout S         per run, seconds                            (300)
          --diagnose consume  instead of the report: C vs the Swift consumer at several layers
                              of the wrapper (AMQPConsumer, AMQPConnection with and without hops)
        Stack: the env files of $CYCLADES_STACK_DIR/env (admin.env).
        """

    static func parse(_ arguments: [String]) throws -> Options {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let environment = ProcessInfo.processInfo.environment
        var options = Options(
            baseline: environment["CYCLADES_LOAD_BASELINE"]
                ?? here.appendingPathComponent("amqp_baseline").path,
            probe: environment["CYCLADES_LOAD_PROBE"]
                ?? here.appendingPathComponent("cyclades-messaging-probe").path)
        var rest = arguments.dropFirst()[...]
        func value(_ flag: String, inline: String?) throws -> String {
            if let inline { return inline }
            guard let next = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        func integer(_ flag: String, _ inline: String?, min: Int = 1) throws -> Int {
            let text = try value(flag, inline: inline)
            guard let number = Int(text), number >= min else {
                throw UsageError("\(flag) must be an integer ≥ \(min), got \(text)")
            }
            return number
        }
        while let argument = rest.popFirst() {
            var flag = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                flag = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            switch flag {
            case "--messages": options.messages = try integer(flag, inline)
            case "--size": options.size = try integer(flag, inline, min: 0)
            case "--window": options.window = try integer(flag, inline)
            case "--prefetch": options.prefetch = try integer(flag, inline)
            case "--ack-every": options.ackEvery = try integer(flag, inline)
            case "--rounds": options.rounds = try integer(flag, inline)
            case "--no-warmup": options.warmup = false
            case "--events": options.events = try integer(flag, inline)
            case "--batch": options.eventsPerTransaction = try integer(flag, inline)
            case "--timeout": options.timeoutSeconds = try integer(flag, inline)
            case "--baseline": options.baseline = try value(flag, inline: inline)
            case "--probe": options.probe = try value(flag, inline: inline)
            case "--diagnose":
                let text = try value(flag, inline: inline)
                guard text == "consume" else { throw UsageError("--diagnose consume") }
                options.diagnose = text
            case "--only":
                let text = try value(flag, inline: inline)
                guard let part = Part(rawValue: text) else { throw UsageError("--only amqp|outbox") }
                options.parts = [part]
            case "--consumer":
                let text = try value(flag, inline: inline)
                guard let mode = ConsumerMode(rawValue: text) else {
                    throw UsageError("--consumer auto|probe|in-process")
                }
                options.consumer = mode
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                throw UsageError("unknown argument \(argument)")
            }
        }
        guard options.ackEvery <= options.prefetch else {
            throw UsageError("--ack-every must not exceed --prefetch (the consumer would stall)")
        }
        guard options.prefetch <= Int(UInt16.max), options.window <= Int(UInt16.max) else {
            throw UsageError("--prefetch and --window must fit in 16 bits (the C program's limit)")
        }
        return options
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
