/// A domain value written as one string (UAI, INE, session code): decoding validates it with
/// the value's own rules and French message, encoding writes its canonical form.
public protocol ValidatedString: Codable, Sendable {
    init(_ text: String) throws(DomainError)
    var value: String { get }
}

extension ValidatedString {
    public init(from decoder: any Decoder) throws {
        let conteneur = try decoder.singleValueContainer()
        let texte = try conteneur.decode(String.self)
        do {
            try self.init(texte)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: conteneur.codingPath, debugDescription: error.message,
                    underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var conteneur = encoder.singleValueContainer()
        try conteneur.encode(value)
    }
}
