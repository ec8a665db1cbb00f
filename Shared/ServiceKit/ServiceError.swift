import Foundation
import HTTPTypes
import Hummingbird

/// An error for people: an HTTP status, a stable code and a French message, rendered as
/// `{"code": …, "message": …, "details": […]}`.
public struct ServiceError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Per-field or per-line errors (e.g. every error of an import).
    public var details: [Detail]

    public struct Detail: Codable, Sendable, Equatable {
        public var location: String
        public var code: String
        public var message: String
        public init(location: String, code: String, message: String) {
            self.location = location
            self.code = code
            self.message = message
        }
    }

    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [Detail] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public static let unauthenticated = ServiceError(
        .unauthorized, code: "auth.requise", message: "Authentification requise.")

    public static func forbidden(_ message: String = "Accès refusé : vos habilitations ne permettent pas cette action.") -> ServiceError {
        ServiceError(.forbidden, code: "auth.refuse", message: message)
    }

    public static func notFound(_ message: String) -> ServiceError {
        ServiceError(.notFound, code: "introuvable", message: message)
    }

    public static func invalid(_ code: String, _ message: String, details: [Detail] = []) -> ServiceError {
        ServiceError(.unprocessableContent, code: code, message: message, details: details)
    }

    public static func conflict(_ code: String, _ message: String) -> ServiceError {
        ServiceError(.conflict, code: code, message: message)
    }

    private struct Body: Encodable {
        var code: String
        var message: String
        var details: [Detail]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(Body(code: code, message: message, details: details.isEmpty ? nil : details))
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

import Domain

extension ServiceError {
    /// A value of the domain refused (bad UAI, grade, session code…): 422 naming the field.
    public init(_ error: DomainError, field: String) {
        self = .invalid(error.code, error.message, details: [.init(location: field, code: error.code, message: error.message)])
    }

    /// Parses a domain value of a request field, turning its error into a 422 naming the field.
    public static func validating<T>(field: String, _ parse: () throws(DomainError) -> T) throws(ServiceError) -> T {
        do {
            return try parse()
        } catch {
            throw ServiceError(error, field: field)
        }
    }
}
