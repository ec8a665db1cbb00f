/// A weighted average out of 20, kept exactly: `points` hundredths of a point over the sum of the
/// coefficients. Its value is `points / (100 × coefficients)`; it is compared with 10 exactly and
/// displayed truncated (never rounded up): 9.999 shows « 9,99 », never « 10,00 ».
public struct Moyenne: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Σ coef × note in hundredths, plus the facultative points above 10 (hundredths).
    public let points: Int
    /// Σ coef of the compulsory units in the average (> 0).
    public let coefficients: Int

    public init?(points: Int, coefficients: Int) {
        guard points >= 0, coefficients > 0 else { return nil }
        self.points = points
        self.coefficients = coefficients
    }

    /// The exact value, reduced: `points / (100 × coefficients)`.
    public var valeur: Rationnel {
        Rationnel(points, sur: 100 * coefficients) ?? Rationnel(entier: 0)
    }

    /// Whether the average is ≥ 10/20, exactly: points ≥ 1000 × coefficients.
    public var atteintDix: Bool { points >= 1000 * coefficients }

    /// The average truncated to hundredths: 9.999 → 999.
    public var centiemesTronques: Int { points / coefficients }

    /// French writing truncated to two decimals: « 9,99 ».
    public var affichage: String { ecrirePoints(centiemesTronques) }

    /// The total of points in French: « 245,50 ».
    public var affichagePoints: String { ecrirePoints(points) }

    public var description: String { affichage }

    public static func < (a: Moyenne, b: Moyenne) -> Bool { a.valeur < b.valeur }
    public static func == (a: Moyenne, b: Moyenne) -> Bool { a.points == b.points && a.coefficients == b.coefficients }

    public init(from decoder: any Decoder) throws {
        let conteneur = try decoder.container(keyedBy: CodingKeys.self)
        let p = try conteneur.decode(Int.self, forKey: .points)
        let c = try conteneur.decode(Int.self, forKey: .coefficients)
        guard (0...1_000_000_000).contains(p), (1...1_000_000).contains(c), let moyenne = Moyenne(points: p, coefficients: c) else {
            throw DecodingError.dataCorruptedError(
                forKey: .coefficients, in: conteneur,
                debugDescription: "Moyenne \(p)/\(c) invalide : points ≥ 0 et coefficients > 0 attendus.")
        }
        self = moyenne
    }

    public func encode(to encoder: any Encoder) throws {
        var conteneur = encoder.container(keyedBy: CodingKeys.self)
        try conteneur.encode(points, forKey: .points)
        try conteneur.encode(coefficients, forKey: .coefficients)
    }

    private enum CodingKeys: String, CodingKey { case points, coefficients }
}

/// Hundredths written in French with two decimals: 1250 → « 12,50 », 24550 → « 245,50 ».
func ecrirePoints(_ centiemes: Int) -> String {
    let signe = centiemes < 0 ? "-" : ""
    let absolu = centiemes.magnitude
    let decimales = absolu % 100
    return "\(signe)\(absolu / 100),\(decimales < 10 ? "0" : "")\(decimales)"
}
