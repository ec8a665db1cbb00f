import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The declarative route table: `/api/v1/<service>/<path>` goes to `<service>` as `/v1/<path>`,
/// same method, query and body, with the caller's identity in an internal token; the answer's
/// status, `Content-Type`, file name and `Cache-Control` come back, with protective headers
/// (`nosniff`, a sandboxing CSP, `attachment` for anything but JSON). The gateway
/// requires an authenticated caller; the service applies its own rules to that caller.
struct ForwardRoutes: Sendable {
    let directory: ServiceDirectory

    /// The largest request body forwarded (imports of pilot files, CSV of candidatures).
    static let maximumBody = 16 << 20

    func add(to api: RouterGroup<ServiceRequestContext>) {
        for service in ServiceDirectory.services {
            let group = api.group(RouterPath(service))
            for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
                group.on("**", method: method) { request, context in try await forward(service, request, context) }
            }
        }
    }

    private func forward(_ service: String, _ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let caller = try context.caller()
        let prefix = "/api/v1/\(service)"
        var path = "/v1" + request.uri.path.dropFirst(prefix.count)
        if let query = request.uri.query, !query.isEmpty { path += "?\(query)" }
        var body: ByteBuffer?
        if request.method != .get && request.method != .delete {
            do {
                body = try await request.body.collect(upTo: Self.maximumBody)
            } catch {
                throw ServiceError(.contentTooLarge, code: "requete.trop_grande",
                                   message: "Le corps de la requête dépasse \(Self.maximumBody >> 20) Mio.")
            }
        }
        let answer: ServiceDirectory.Answer
        do {
            answer = try await directory.call(
                service, method: request.method, path: path, identity: caller,
                contentType: request.headers[.contentType], body: body)
        } catch {
            throw (error as ServiceDirectory.Failure).serviceError
        }
        var headers = Self.protectiveHeaders(contentType: answer.contentType, disposition: answer.contentDisposition)
        if let cacheControl = answer.cacheControl { headers[.cacheControl] = cacheControl }
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: answer.body))
    }

    /// What a forwarded answer may do on the gateway's origin: nothing. Its type is not sniffed,
    /// a sandboxing CSP stops any script or active content in it (an SVG resource with a
    /// script, an HTML error page), and anything but JSON is a download (`attachment`, keeping
    /// the service's file name for PDF confirmations and CSV exports).
    static func protectiveHeaders(contentType: String?, disposition: String?) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType ?? "application/octet-stream"
        if let nosniff = HTTPField.Name("X-Content-Type-Options") { headers[nosniff] = "nosniff" }
        headers[.contentSecurityPolicy] = "sandbox; default-src 'none'; frame-ancestors 'none'"
        let mediaType = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let json = mediaType == "application/json" || mediaType.hasSuffix("+json")
        if let disposition {
            // An `inline` from the service becomes an `attachment` with the same parameters.
            let parameters = disposition.split(separator: ";", maxSplits: 1).dropFirst().first.map { ";" + $0 } ?? ""
            headers[.contentDisposition] = "attachment" + parameters
        } else if !json {
            headers[.contentDisposition] = "attachment"
        }
        return headers
    }
}
