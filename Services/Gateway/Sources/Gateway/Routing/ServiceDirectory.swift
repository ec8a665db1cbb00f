import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// The services behind the gateway and how to call them: every call carries a short-lived
/// internal token naming the caller, and has a deadline.
struct ServiceDirectory: Sendable {
    let urls: [String: String]
    let client: HTTPClient
    let tokens: ServiceTokens
    let timeout: Duration
    /// Per-service exceptions to `timeout`.
    var timeouts: [String: Duration] = [:]
    let logger: Logger

    /// The process's client for service calls, never shut down (it lives as long as the
    /// process). A refused connection fails at once instead of being retried until the
    /// deadline: a stopped service must cost an aggregate nothing, not its whole deadline.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        // No connect timeout of its own: each call's deadline (`CYCLADES_SERVICE_TIMEOUT_MS`, `…TIMEOUTS_MS`)
        // bounds connecting too. A fixed 1 s failed calls to a live service whose accept was
        // merely slow on two busy cores (getConnectionFromPoolTimeout); a refused connection
        // still fails at once (no retry).
        configuration.timeout.connect = .seconds(600)
        // Many users wait on one service at once at peak (graders waiting for « enregistré »):
        // AsyncHTTPClient's default of 8 connections per host queued them until they timed out.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        return HTTPClient(configuration: configuration)
    }()

    /// The services the route table forwards to, in the order of the steps.
    static let services = [
        "reglementation", "inscription", "organisation", "evaluation", "deliberation", "publication", "connector",
    ]

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var contentType: String?
        var body: ByteBuffer
        /// Kept for downloads (PDF, CSV): the file name and whether to show or save it.
        var contentDisposition: String? = nil
        var cacheControl: String? = nil
    }

    enum Failure: Error, Sendable {
        case notDeployed(String)
        case unreachable(String, String)
        case timedOut(String)

        var serviceError: ServiceError {
            switch self {
            case .notDeployed(let service):
                ServiceError(.badGateway, code: "service.absent", message: "Le service \(service) n'est pas déployé.")
            case .unreachable(let service, _):
                ServiceError(.badGateway, code: "service.indisponible", message: "Le service \(service) ne répond pas. Réessayez plus tard.")
            case .timedOut(let service):
                ServiceError(.gatewayTimeout, code: "service.delai", message: "Le service \(service) n'a pas répondu à temps. Réessayez plus tard.")
            }
        }

        var reason: String {
            switch self {
            case .notDeployed: "non déployé"
            case .unreachable: "ne répond pas"
            case .timedOut: "délai dépassé"
            }
        }
    }

    /// Calls `service` at `path` (e.g. `/v1/sessions?page=2`) as `identity`.
    func call(
        _ service: String, method: HTTPRequest.Method, path: String, identity: InternalIdentity?,
        contentType: String? = nil, body: ByteBuffer? = nil, timeout: Duration? = nil
    ) async throws(Failure) -> Answer {
        guard let base = urls[service] else { throw .notDeployed(service) }
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let identity {
            do {
                request.headers.add(name: "Authorization", value: "Bearer \(try await tokens.sign(identity, for: service))")
            } catch {
                throw .unreachable(service, "token: \(error)")
            }
        }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(body) }
        let deadline = timeout ?? timeouts[service] ?? self.timeout
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(deadline.components.seconds * 1_000_000_000 + deadline.components.attoseconds / 1_000_000_000)))
            let collected = try await response.body.collect(upTo: 32 << 20)
            return Answer(
                status: HTTPResponse.Status(code: Int(response.status.code)),
                contentType: response.headers.first(name: "Content-Type"), body: collected,
                contentDisposition: response.headers.first(name: "Content-Disposition"),
                cacheControl: response.headers.first(name: "Cache-Control"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            logger.warning("service call timed out", metadata: ["service": "\(service)", "path": "\(path)"])
            throw .timedOut(service)
        } catch {
            logger.warning("service call failed", metadata: ["service": "\(service)", "path": "\(path)", "error": "\(error)"])
            throw .unreachable(service, "\(error)")
        }
    }
}
