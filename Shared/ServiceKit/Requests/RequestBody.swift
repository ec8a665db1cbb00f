import Domain
import Foundation
import Hummingbird

extension Request {
    /// The JSON body decoded as `T`; a body that is not JSON or misses a field is refused with
    /// a French message naming the field (400 / 422).
    public func corps<T: Decodable>(_ type: T.Type, limite: Int = 1 << 20) async throws -> T {
        let buffer: ByteBuffer
        do {
            var copie = self
            buffer = try await copie.collectBody(upTo: limite)
        } catch {
            throw ServiceError(.contentTooLarge, code: "requete.trop_grande", message: "Le corps de la requête dépasse \(limite / 1024) Kio.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Self.refus(error)
        }
    }

    public static func refus(_ error: DecodingError) -> ServiceError {
        func chemin(_ path: [any CodingKey], _ dernier: (any CodingKey)? = nil) -> String {
            (path + (dernier.map { [$0] } ?? [])).map { key in
                key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
            }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        let (location, code, message): (String, String, String)
        switch error {
        case .keyNotFound(let key, let context):
            let champ = chemin(context.codingPath, key)
            (location, code, message) = (champ, "champ.manquant", "Le champ « \(champ) » est obligatoire.")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let champ = chemin(context.codingPath)
            (location, code, message) = (champ, "champ.type", "Le champ « \(champ) » n'a pas le type attendu.")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            let champ = chemin(context.codingPath)
            (location, code, message) = (champ, "champ.valeur", "Le champ « \(champ) » a une valeur invalide : \(context.debugDescription)")
        default:
            return ServiceError(.badRequest, code: "requete.json", message: "Le corps de la requête n'est pas un document JSON valide.")
        }
        return ServiceError.invalid(code, message, details: [.init(location: location, code: code, message: message)])
    }
}

extension ServiceRequestContext {
    /// A path parameter (the router guarantees it is there).
    public func parametre(_ name: String) -> String {
        parameters.get(name) ?? ""
    }

    /// The session of a `/sessions/:code/…` route, or a French 422 naming `code`.
    public func sessionDuChemin() throws(ServiceError) -> SessionCode {
        try ServiceError.validating(field: "code") { () throws(DomainError) in try SessionCode(parametre("code")) }
    }

    /// The candidate of a `/candidats/:id/…` route of a candidate's file: his identifier as his
    /// habilitation carries it (`candidat:<id>`), 1 to 64 characters, or a French 422. A
    /// candidate asking for another's gets a 403 with `refus`.
    public func candidatDuChemin(refus: String) throws(ServiceError) -> String {
        let id = parametre("id")
        guard (1...64).contains(id.count) else {
            throw ServiceError.invalid("candidat.identifiant", "Identifiant de candidat invalide (1 à 64 caractères).",
                                       details: [.init(location: "id", code: "candidat.identifiant", message: "1 à 64 caractères.")])
        }
        if let identity, identity.role == .candidat, !identity.hasScope("candidat", id) {
            throw ServiceError.forbidden(refus)
        }
        return id
    }
}
