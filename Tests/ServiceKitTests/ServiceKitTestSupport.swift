import Foundation
import ServiceKit
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Helpers shared by the ServiceKit tests.
enum Fixtures {
    /// A secret of the right length for tests that do not talk to a running service.
    static let secret = "0123456789abcdef0123456789abcdef-test-secret"

    static let gestionnaire = InternalIdentity(subject: "gest-a01", role: .gestionnaire, scopes: ["academie:A01"])

    /// The JSON error body every service renders (`ServiceError`).
    struct ErrorBody: Decodable, Equatable {
        var code: String
        var message: String
        var details: [ServiceError.Detail]?
    }

    static func errorBody(_ data: Data) throws -> ErrorBody {
        try JSONDecoder().decode(ErrorBody.self, from: data)
    }

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
}

/// A plain-HTTP client of a running service (Foundation's URLSession).
struct HTTPClient: Sendable {
    var baseURL: URL

    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: any Sendable] {
            (try JSONSerialization.jsonObject(with: body) as? [String: any Sendable]) ?? [:]
        }
    }

    func request(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil
    ) async throws -> Response {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = 10
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestStackError("not an HTTP response") }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            headers[String(describing: key).lowercased()] = String(describing: value)
        }
        return Response(status: http.statusCode, headers: headers, body: data)
    }
}

/// A child process whose output goes to temporary files, so that it never blocks on a full pipe.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let standardOutput: URL
    let standardError: URL

    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        let directory = FileManager.default.temporaryDirectory
        standardOutput = directory.appendingPathComponent("cyclades-child-\(UUID().uuidString).out")
        standardError = directory.appendingPathComponent("cyclades-child-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        FileManager.default.createFile(atPath: standardError.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        process.standardError = try FileHandle(forWritingTo: standardError)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: standardOutput)
        try? FileManager.default.removeItem(at: standardError)
    }

    var isRunning: Bool { process.isRunning }

    /// The exit status, or nil if it still runs after `timeout`.
    func waitForExit(timeout: Duration) async throws -> Int32? {
        let exited = try await TestStack.eventually(timeout: timeout, every: .milliseconds(50)) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    var output: String { (try? String(contentsOf: standardOutput, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOf: standardError, encoding: .utf8)) ?? "" }
}
