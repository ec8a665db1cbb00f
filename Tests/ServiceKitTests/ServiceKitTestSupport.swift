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

