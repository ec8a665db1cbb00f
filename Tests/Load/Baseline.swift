import AMQP
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The C program (`Tests/Load/c/amqp_baseline.c`): rabbitmq-c used directly, the ceiling.
struct Baseline: Sendable {
    let path: String
    let configuration: AMQPConfiguration
    let broker: Broker
    let timeoutSeconds: Int

    /// Its one line of JSON.
    struct Result: Decodable {
        var mode: String
        var count: Int
        var seconds: Double
        var rate: Double
        var nacks: Int
    }

    func publish(exchange: String, routingKey: String, count: Int, size: Int, window: Int) async throws -> Sample {
        try await run("publish", exchange, routingKey, count, size, window, 1)
    }

    func consume(queue: String, count: Int, prefetch: Int, ackEvery: Int) async throws -> Sample {
        try await run("consume", "-", queue, count, 0, prefetch, ackEvery)
    }

    private func run(
        _ mode: String, _ exchange: String, _ keyOrQueue: String, _ count: Int, _ size: Int,
        _ windowOrPrefetch: Int, _ ackEvery: Int
    ) async throws -> Sample {
        let arguments = [
            mode, configuration.host, "\(configuration.port)", configuration.vhost, configuration.user,
            configuration.password, exchange, keyOrQueue, "\(count)", "\(size)", "\(windowOrPrefetch)",
            "\(ackEvery)",
        ]
        let brokerBefore = broker.cpu()
        let childrenBefore = CPUTime.children()
        let output = try await ChildProcess.run(path, arguments, timeoutSeconds: timeoutSeconds)
        let clientCPU = CPUTime.children() - childrenBefore
        let brokerCPU = both(brokerBefore, broker.cpu()).map { $1 - $0 }
        guard output.status == 0 else {
            throw BenchmarkError("amqp_baseline \(mode) exited with \(output.status): \(output.stderr)")
        }
        guard let line = output.stdout.split(separator: "\n").last,
            let result = try? JSONDecoder().decode(Result.self, from: Data(line.utf8))
        else {
            throw BenchmarkError("amqp_baseline \(mode): no JSON result in \"\(output.stdout)\"")
        }
        guard result.count == count, result.nacks == 0 else {
            throw BenchmarkError("amqp_baseline \(mode): \(result.count) messages, \(result.nacks) nacks")
        }
        return Sample(count: result.count, seconds: result.seconds, clientCPU: clientCPU, brokerCPU: brokerCPU)
    }
}

func both(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
}

/// Runs a program to completion, capturing its output (kept small: one JSON line, a few notes).
enum ChildProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ path: String, _ arguments: [String], timeoutSeconds: Int) async throws -> Output {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchmarkError("\(path) is not an executable (build it with Tests/Load/c/build.sh)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let (statuses, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeoutSeconds))
            note("\(path) \(arguments.first ?? ""): no result after \(timeoutSeconds) s, terminating it")
            kill(pid, SIGTERM)
        }
        var status: Int32 = -1
        for await value in statuses { status = value }
        watchdog.cancel()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Output(status: status, stdout: out, stderr: err.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
