import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program the tests run as a real process (a service binary, a command), its output in
/// temporary files so that it never blocks on a full pipe; killed if the test forgets it.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let standardOutput: URL
    public let standardError: URL

    public init(_ executable: URL, _ arguments: [String], environment: [String: String], input: String? = nil) throws {
        let directory = FileManager.default.temporaryDirectory
        standardOutput = directory.appendingPathComponent("cyclades-child-\(UUID().uuidString).out")
        standardError = directory.appendingPathComponent("cyclades-child-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        process.standardError = try FileHandle(forWritingTo: standardError)
        let pipe = input.map { _ in Pipe() }
        process.standardInput = pipe ?? FileHandle.nullDevice
        try process.run()
        if let pipe, let input {
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try pipe.fileHandleForWriting.close()
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: standardOutput)
        try? FileManager.default.removeItem(at: standardError)
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL if it still runs after 10 s.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The exit status, or nil if it still runs after `timeout`.
    public func waitForExit(timeout: Duration) async throws -> Int32? {
        let exited = try await TestStack.eventually(timeout: timeout, every: .milliseconds(50)) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    public var output: String { (try? String(contentsOf: standardOutput, encoding: .utf8)) ?? "" }
    public var errors: String { (try? String(contentsOf: standardError, encoding: .utf8)) ?? "" }
}

extension TestStack {
    /// A TCP port of the loopback interface that nothing listens on right now.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestStackError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { throw TestStackError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
