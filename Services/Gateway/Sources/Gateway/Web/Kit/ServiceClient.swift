import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// A service as the pages call it: always as the person using the page (the service applies its
/// own rules to him), its answers decoded, its refusals turned into the French `ServiceError`
/// the pages show (status, code, message and the fields it names). A service down or too slow
/// is a `ServiceError` too (502, 504): the pages never see a transport error.
struct ServiceClient: Sendable {
    let directory: ServiceDirectory
    /// The service's name in the directory (`inscription`, `organisation`, …).
    let service: String
    /// The deadline of every call; nil: the directory's for this service.
    var timeout: Duration? = nil

    /// One call to `/v1<path>`, whatever the service answers.
    func appel(
        _ method: HTTPRequest.Method, _ path: String, as caller: InternalIdentity, json: (any Encodable)? = nil,
        contentType: String? = nil, body: ByteBuffer? = nil
    ) async throws(ServiceError) -> ServiceDirectory.Answer {
        var type = contentType
        var corps = body
        if let json {
            do {
                corps = ByteBuffer(bytes: try JSONEncoder().encode(json))
            } catch {
                throw ServiceError(.internalServerError, code: "requete.encodage", message: "La demande au service \(service) n'a pas pu être préparée.")
            }
            type = "application/json"
        }
        do {
            return try await directory.call(
                service, method: method, path: "/v1" + path, identity: caller, contentType: type, body: corps, timeout: timeout)
        } catch {
            throw error.serviceError
        }
    }

    /// Reads (or sends, with `method`) and decodes a success as `T`; anything else is the
    /// service's refusal.
    func lire<T: Decodable>(
        _ type: T.Type, _ path: String, as caller: InternalIdentity, method: HTTPRequest.Method = .get,
        json: (any Encodable)? = nil, contentType: String? = nil, body: ByteBuffer? = nil
    ) async throws(ServiceError) -> T {
        let answer = try await appel(method, path, as: caller, json: json, contentType: contentType, body: body)
        guard (200..<300).contains(answer.status.code) else { throw refus(answer) }
        return try decode(T.self, answer)
    }

    /// Sends and expects a success, of which nothing is read; anything else is the refusal.
    func envoyer(
        _ method: HTTPRequest.Method, _ path: String, as caller: InternalIdentity, json: (any Encodable)? = nil
    ) async throws(ServiceError) {
        let answer = try await appel(method, path, as: caller, json: json)
        guard (200..<300).contains(answer.status.code) else { throw refus(answer) }
    }

    /// A success's body as `T`; an answer that is not one is a 502.
    func decode<T: Decodable>(_ type: T.Type, _ answer: ServiceDirectory.Answer) throws(ServiceError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: answer.body)
        } catch {
            throw ServiceError(.badGateway, code: "service.reponse", message: "Le service \(service) a rendu une réponse illisible. Réessayez plus tard.")
        }
    }

    /// A refusal of the service as the pages say it: its own status, code, French message and
    /// details; an internal error of the service (or an answer that is no error) becomes a 502.
    func refus(_ answer: ServiceDirectory.Answer) -> ServiceError {
        struct Corps: Decodable {
            var code: String?
            var message: String
            var details: [ServiceError.Detail]?
        }
        let corps = try? JSONDecoder().decode(Corps.self, from: answer.body)
        if answer.status.code >= 500 || answer.status.code < 400 {
            return ServiceError(.badGateway, code: corps?.code ?? "service.erreur",
                                message: corps?.message ?? "Le service \(service) a répondu par une erreur (\(answer.status.code)). Réessayez plus tard.")
        }
        return ServiceError(answer.status, code: corps?.code ?? "service.refus",
                            message: corps?.message ?? "Le service \(service) a refusé la demande (\(answer.status.code)).",
                            details: corps?.details ?? [])
    }

    /// A file of the service (PDF, CSV, pièce) passed to the browser with its name.
    func telechargement(_ path: String, as caller: InternalIdentity) async throws(ServiceError) -> Response {
        let answer = try await appel(.get, path, as: caller)
        guard answer.status == .ok else { throw refus(answer) }
        var headers: HTTPFields = [.contentType: answer.contentType ?? "application/octet-stream"]
        if let disposition = answer.contentDisposition { headers[.contentDisposition] = disposition }
        headers[.cacheControl] = answer.cacheControl ?? "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.body))
    }
}

extension ServiceClient {
    struct Liste<Item: Decodable>: Decodable {
        var items: [Item]
    }

    struct Page<Item: Decodable>: Decodable {
        var items: [Item]
        var total: Int
    }

    struct SessionOuverte: Sendable {
        var code: String
        var libelle: String
    }

    /// The 20 newest open sessions, read from Réglementation with the gateway's own identity
    /// (role `service`: codes and labels only, which every signed-in user may know); empty when
    /// the service does not answer.
    static func sessionsOuvertes(_ directory: ServiceDirectory) async -> [SessionOuverte] {
        struct Session: Decodable { var code: String; var libelle: String; var etat: String }
        let reglementation = ServiceClient(directory: directory, service: "reglementation")
        let passerelle = InternalIdentity(subject: "gateway", role: .service)
        guard let liste = try? await reglementation.lire(Liste<Session>.self, "/sessions?etat=ouverte&taille=20", as: passerelle)
        else { return [] }
        return liste.items.filter { $0.etat == "ouverte" }.map { SessionOuverte(code: $0.code, libelle: $0.libelle) }
    }
}
