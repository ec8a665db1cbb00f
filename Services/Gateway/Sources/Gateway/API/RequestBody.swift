import Foundation
import Hummingbird
import NIOFoundationCompat
import ServiceKit

extension Request {
    /// The JSON body as `T`. A body that is not what the route reads is refused like every other
    /// error, `{code, message, details}` in French: 422 naming the field (missing, wrong type,
    /// invalid value), 400 when it is not JSON at all, 413 when it is too large.
    func decodeJSON<T: Decodable>(as type: T.Type, limit: Int = 1 << 20) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            throw ServiceError(.contentTooLarge, code: "requete.trop_grande", message: "Le corps de la requête dépasse \(limit / 1024) Kio.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Self.bodyProblem(error)
        }
    }

    static func bodyProblem(_ error: DecodingError) -> ServiceError {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (keys + (last.map { [$0] } ?? [])).map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                .joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        let (location, code, message): (String, String, String)
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            (location, code, message) = (field, "champ.manquant", "Le champ « \(field) » est obligatoire.")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            (location, code, message) = (field, "champ.type", "Le champ « \(field) » n'a pas le type attendu.")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            let field = path(context.codingPath)
            (location, code, message) = (field, "champ.valeur", "Le champ « \(field) » a une valeur invalide.")
        default:
            return ServiceError(.badRequest, code: "requete.json", message: "Le corps de la requête n'est pas un document JSON valide.")
        }
        return ServiceError.invalid(code, message, details: [.init(location: location, code: code, message: message)])
    }
}
