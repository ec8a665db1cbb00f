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

enum BrowserFixtures {
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
    static func waitHealthy(port: Int, process: ChildProcess) async throws {
        let healthy = try await TestStack.eventually(timeout: .seconds(60), every: .milliseconds(250)) {
            guard process.isRunning else { throw TestStackError("the service exited with \(process.process.terminationStatus)") }
            return (try? await request("GET", "http://127.0.0.1:\(port)/health"))?.status == 200
        }
        guard healthy else { throw TestStackError("no healthy /health on port \(port) within 60 s") }
    }

    /// Opens a session with an unused code in the réglementation service at `port`; returns its code.
    static func openSession(port: Int, secret: String, libelle: String) async throws -> String {
        let token = try await InternalTokenAuthority(secret: secret, audience: "reglementation")
            .sign(InternalIdentity(subject: "test-navigateur", role: .gestionnaire, scopes: ["academie:A01"]))
        let code = try await SessionsDeTest.reserver(annees: 2040...2099)
        let body = #"{"code":"\#(code)","academie":"A01","libelle":"\#(libelle)","debutEpreuves":"2031-06-02","finEpreuves":"2031-06-13"}"#
        let answer = try await request("POST", "http://127.0.0.1:\(port)/v1/sessions", token: token, json: body)
        guard answer.status == 201 else { throw TestStackError("session \(code) not opened: \(answer.status) \(answer.body)") }
        return code
    }
}
