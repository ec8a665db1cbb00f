import Foundation
import ServiceKit
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A service binary run as a child process, its output in temporary files (never a full pipe).
final class BrowserProcess: @unchecked Sendable {
    let process = Process()
    let standardOutput: URL
    let standardError: URL

    init(_ executable: URL, _ arguments: [String], environment: [String: String], input: String? = nil) throws {
        let directory = FileManager.default.temporaryDirectory
        standardOutput = directory.appendingPathComponent("cyclades-browser-\(UUID().uuidString).out")
        standardError = directory.appendingPathComponent("cyclades-browser-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        FileManager.default.createFile(atPath: standardError.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        process.standardError = try FileHandle(forWritingTo: standardError)
        let pipe = input.map { _ in Pipe() }
        if let pipe { process.standardInput = pipe }
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

    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL if it still runs after 10 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The exit status, or nil if it still runs after `timeout`.
    func waitForExit(timeout: Duration) async throws -> Int32? {
        let exited = try await TestStack.eventually(timeout: timeout, every: .milliseconds(50)) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    var output: String { (try? String(contentsOf: standardOutput, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOf: standardError, encoding: .utf8)) ?? "" }
}

enum BrowserFixtures {
    /// A TCP port of the loopback interface that nothing listens on right now.
    static func freePort() throws -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
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

    /// One HTTP exchange (URLSession): status and body.
    static func request(
        _ method: String, _ url: String, token: String? = nil, json: String? = nil
    ) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Waits (60 s at most) for `/health` to answer 200 (migrations are applied first).
    static func waitHealthy(port: Int, process: BrowserProcess) async throws {
        let healthy = try await TestStack.eventually(timeout: .seconds(60), every: .milliseconds(250)) {
            guard process.isRunning else { throw TestStackError("the service exited with \(process.process.terminationStatus)") }
            return (try? await request("GET", "http://127.0.0.1:\(port)/health"))?.status == 200
        }
        guard healthy else { throw TestStackError("no healthy /health on port \(port) within 60 s") }
    }

    /// Opens a session with an unused code in the réglementation service at `port`; returns its code.
    static func openSession(port: Int, secret: String, libelle: String) async throws -> String {
        let token = try await InternalTokenAuthority(secret: secret)
            .sign(InternalIdentity(subject: "test-navigateur", role: .gestionnaire, scopes: ["academie:A01"]))
        for _ in 0..<50 {
            let code = "BP-20\(Int.random(in: 40...99))-\(String(format: "%02d", Int.random(in: 1...12)))-N"
            let body = #"{"code":"\#(code)","academie":"A01","libelle":"\#(libelle)","debutEpreuves":"2031-06-02","finEpreuves":"2031-06-13"}"#
            let answer = try await request("POST", "http://127.0.0.1:\(port)/v1/sessions", token: token, json: body)
            if answer.status == 201 { return code }
            guard answer.status == 409 else { throw TestStackError("session \(code) not opened: \(answer.status) \(answer.body)") }
        }
        throw TestStackError("no free session code")
    }
}
