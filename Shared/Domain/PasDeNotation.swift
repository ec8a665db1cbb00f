/// The grading step of an épreuve, in hundredths of a point: a grade must be a multiple of it.
/// Default 0.25 (`.quart`); CCF grades are whole or half points (`.demi`).
/// Encoded in JSON as the integer number of hundredths (25 for 0.25); decoding validates.
public struct PasDeNotation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The step in hundredths of a point: 1...2000, a divisor of 2000.
    public let centiemes: Int

    /// 0.01 point: any grade with at most two decimals.
    public static let centieme = PasDeNotation(valide: 1)
    /// 0.25 point, the default step.
    public static let quart = PasDeNotation(valide: 25)
    /// 0.5 point (CCF).
    public static let demi = PasDeNotation(valide: 50)
    /// Whole points.
    public static let point = PasDeNotation(valide: 100)

    private init(valide centiemes: Int) { self.centiemes = centiemes }

    /// Throws `pas.invalide` unless `centiemes` is positive and divides 2000 (so that 0 and 20 are
    /// always reachable).
    public init(centiemes: Int) throws(DomainError) {
        guard centiemes > 0, 2000 % centiemes == 0 else {
            throw DomainError(
                code: "pas.invalide",
                message: "Pas de notation de \(centiemes) centièmes invalide : il doit être positif "
                    + "et diviser 20 points exactement (par exemple 0,25, 0,5 ou 1).")
        }
        self.centiemes = centiemes
    }

    /// French writing of the step with the fewest decimals: "0,25", "0,5", "0,01", "1".
    public var affichage: String {
        var texte = ecrireCentiemes(centiemes, separateur: ",")
        while texte.hasSuffix("0") { texte.removeLast() }
        if texte.hasSuffix(",") { texte.removeLast() }
        return texte
    }

    public var description: String { affichage }

    /// Whether `centiemes` is a multiple of this step.
    public func admet(_ centiemes: Int) -> Bool { centiemes % self.centiemes == 0 }

    public init(from decoder: any Decoder) throws {
        let conteneur = try decoder.singleValueContainer()
        let valeur = try conteneur.decode(Int.self)
        do {
            try self.init(centiemes: valeur)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: conteneur.codingPath, debugDescription: error.message,
                    underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var conteneur = encoder.singleValueContainer()
        try conteneur.encode(centiemes)
    }
}
