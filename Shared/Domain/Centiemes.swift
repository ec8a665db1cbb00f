/// A grade value out of 20, as an exact integer number of hundredths: 0...2000 (12.5 is 1250).
/// Encoded in JSON as that integer; decoding validates the range.
public struct Centiemes: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// 0...2000.
    public let valeur: Int

    public static let minimum = Centiemes(valide: 0)
    public static let maximum = Centiemes(valide: 2000)

    private init(valide valeur: Int) { self.valeur = valeur }

    /// Throws `note.hors_bareme` outside 0...2000.
    public init(_ valeur: Int) throws(DomainError) {
        guard (0...2000).contains(valeur) else {
            throw DomainError(
                code: "note.hors_bareme",
                message: "Note \(ecrireCentiemes(valeur, separateur: ",")) invalide : une note est "
                    + "comprise entre 0 et 20.")
        }
        self.valeur = valeur
    }

    /// French writing with two decimals: "12,50".
    public var affichage: String { ecrireCentiemes(valeur, separateur: ",") }
    /// Canonical writing with a dot and two decimals: "12.50".
    public var canonique: String { ecrireCentiemes(valeur, separateur: ".") }
    public var description: String { affichage }

    public static func < (a: Centiemes, b: Centiemes) -> Bool { a.valeur < b.valeur }

    public init(from decoder: any Decoder) throws {
        let conteneur = try decoder.singleValueContainer()
        let valeur = try conteneur.decode(Int.self)
        do {
            try self.init(valeur)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: conteneur.codingPath, debugDescription: error.message,
                    underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var conteneur = encoder.singleValueContainer()
        try conteneur.encode(valeur)
    }
}
