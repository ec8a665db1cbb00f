import Foundation
import Testing

/// A value wrapped in an object, as it travels in real payloads: `{"v": ...}`.
struct Boite<Valeur: Codable & Equatable>: Codable, Equatable {
    let v: Valeur
}

func enJSON<T: Encodable>(_ valeur: T) throws -> String {
    let encodeur = JSONEncoder()
    encodeur.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encodeur.encode(valeur), as: UTF8.self)
}

func depuisJSON<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(json.utf8))
}

/// The debugDescription of a `DecodingError.dataCorrupted`, nil for any other error.
func messageDeDonneesCorrompues(_ erreur: DecodingError?) -> String? {
    guard case .dataCorrupted(let contexte)? = erreur else { return nil }
    return contexte.debugDescription
}
