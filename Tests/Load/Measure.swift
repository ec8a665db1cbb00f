import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One timed run of one client: `count` messages in `seconds`, and the CPU it cost.
struct Sample: Sendable {
    var count: Int
    var seconds: Double
    /// CPU (user + system) of the client: the whole C process, or this process during the Swift
    /// run (connection, warm-up and teardown included on both sides).
    var clientCPU: Double
    /// CPU of the broker's Erlang VM over the same run, when its pid is known.
    var brokerCPU: Double?

    var rate: Double { seconds > 0 ? Double(count) / seconds : 0 }
    var clientMicrosPerMessage: Double { count > 0 ? clientCPU * 1e6 / Double(count) : 0 }
    var brokerMicrosPerMessage: Double? { brokerCPU.map { count > 0 ? $0 * 1e6 / Double(count) : 0 } }
}

enum CPUTime {
    /// User + system seconds of this process (all threads).
    static func current() -> Double { usage(who: RUSAGE_SELF) }

    /// User + system seconds of the terminated children this process has waited for.
    static func children() -> Double { usage(who: RUSAGE_CHILDREN) }

    private static func usage(who: __rusage_who) -> Double {
        var usage = rusage()
        guard getrusage(Int32(truncatingIfNeeded: who.rawValue), &usage) == 0 else { return 0 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }

    /// User + system seconds of another process, from `/proc/PID/stat`.
    static func process(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": field 3 (state) is index 0, utime (14) index 11, stime (15) index 12.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            return nil
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// The broker's Erlang VM, to charge its CPU to each run (read from the stack's pid file).
struct Broker: Sendable {
    let pid: Int32?

    init(stackDirectory: String) {
        let text = try? String(contentsOfFile: "\(stackDirectory)/run/rabbitmq.pid", encoding: .utf8)
        let pid = text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        self.pid = pid.flatMap { CPUTime.process($0) != nil ? $0 : nil }
    }

    func cpu() -> Double? { pid.flatMap(CPUTime.process) }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Grouped thousands for rates (`12,345`), fixed decimals otherwise.
func format(_ value: Double, decimals: Int = 0) -> String {
    guard value.isFinite else { return "—" }
    if decimals > 0 { return String(format: "%.\(decimals)f", value) }
    let rounded = Int(value.rounded())
    let digits = String(abs(rounded))
    var grouped = ""
    for (index, character) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
        grouped.append(character)
    }
    return (rounded < 0 ? "-" : "") + grouped
}

/// Writes progress to stderr so that stdout carries only the report.
func note(_ text: String) {
    FileHandle.standardError.write(Data("[load] \(text)\n".utf8))
}
