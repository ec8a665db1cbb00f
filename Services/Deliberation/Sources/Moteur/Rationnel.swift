/// An exact non-negative fraction of integers, always reduced, denominator > 0.
/// The engine's numbers are bounded (grades ≤ 2000 hundredths, coefficients ≤ 100, at most 40
/// units), so no operation here comes near `Int`'s range.
public struct Rationnel: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let numerateur: Int
    public let denominateur: Int

    /// `numerateur / denominateur`, reduced; nil when the denominator is not positive or the
    /// numerator is negative.
    public init?(_ numerateur: Int, sur denominateur: Int) {
        guard denominateur > 0, numerateur >= 0 else { return nil }
        let d = pgcd(numerateur, denominateur)
        self.numerateur = numerateur / d
        self.denominateur = denominateur / d
    }

    public init(entier: Int) {
        numerateur = max(0, entier)
        denominateur = 1
    }

    public static func < (a: Rationnel, b: Rationnel) -> Bool {
        a.numerateur * b.denominateur < b.numerateur * a.denominateur
    }

    /// `"491/48"`.
    public var description: String { "\(numerateur)/\(denominateur)" }

    public init(from decoder: any Decoder) throws {
        let conteneur = try decoder.container(keyedBy: CodingKeys.self)
        let n = try conteneur.decode(Int.self, forKey: .numerateur)
        let d = try conteneur.decode(Int.self, forKey: .denominateur)
        guard (0...1_000_000_000).contains(n), (1...1_000_000_000).contains(d), let valeur = Rationnel(n, sur: d) else {
            throw DecodingError.dataCorruptedError(
                forKey: .denominateur, in: conteneur,
                debugDescription: "Fraction \(n)/\(d) invalide : numérateur ≥ 0 et dénominateur > 0 attendus.")
        }
        self = valeur
    }

    private enum CodingKeys: String, CodingKey { case numerateur, denominateur }
}

func pgcd(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a.magnitude, b.magnitude)
    while y != 0 { (x, y) = (y, x % y) }
    return x == 0 ? 1 : Int(x)
}
