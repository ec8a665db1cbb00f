import Domain

/// A calendar day (no time, no time zone): when a grade was obtained, when a jury deliberates.
/// Years 2000...2099, like session codes. Encoded in JSON as `"YYYY-MM-DD"`; decoding validates.
public struct Jour: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let annee: Int
    public let mois: Int
    public let jour: Int

    /// Throws `deliberation.date` for a day that does not exist or a year outside 2000...2099.
    public init(_ annee: Int, _ mois: Int, _ jour: Int) throws(DomainError) {
        guard (2000...2099).contains(annee), (1...12).contains(mois),
              (1...Jour.joursDansLeMois(annee, mois)).contains(jour)
        else {
            throw ErreurDeliberation.date(
                "Date \(Jour.ecrire(annee, mois, jour)) invalide : un jour existant entre 2000 et 2099 est attendu.")
        }
        self.annee = annee
        self.mois = mois
        self.jour = jour
    }

    private init(valide annee: Int, _ mois: Int, _ jour: Int) {
        self.annee = annee
        self.mois = mois
        self.jour = jour
    }

    /// Reads `YYYY-MM-DD`.
    public init(iso texte: String) throws(DomainError) {
        let parties = texte.split(separator: "-", omittingEmptySubsequences: false)
        guard parties.count == 3, parties[0].count == 4, parties[1].count == 2, parties[2].count == 2,
              parties.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let a = Int(parties[0]), let m = Int(parties[1]), let j = Int(parties[2])
        else {
            throw ErreurDeliberation.date("Date « \(texte.prefix(40)) » invalide : le format attendu est AAAA-MM-JJ.")
        }
        try self.init(a, m, j)
    }

    /// The same day `annees` years later; 29 February becomes 28 February in a common year, so
    /// that a limit is never later than the exact anniversary. Years beyond 2099 stay in 2099's
    /// last day (a limit that far is never reached by a session code).
    public func ajoutantAnnees(_ annees: Int) -> Jour {
        let cible = annee + max(0, min(annees, 100))
        guard cible <= 2099 else { return Jour(valide: 2099, 12, 31) }
        return Jour(valide: cible, mois, min(jour, Jour.joursDansLeMois(cible, mois)))
    }

    /// `"2027-07-02"`.
    public var iso: String { Jour.ecrire(annee, mois, jour) }

    /// French writing: `"02/07/2027"`.
    public var affichage: String {
        "\(deuxChiffres(jour))/\(deuxChiffres(mois))/\(annee)"
    }

    public var description: String { iso }

    public static func < (a: Jour, b: Jour) -> Bool {
        (a.annee, a.mois, a.jour) < (b.annee, b.mois, b.jour)
    }

    static func joursDansLeMois(_ annee: Int, _ mois: Int) -> Int {
        switch mois {
        case 2: (annee % 4 == 0 && annee % 100 != 0) || annee % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func ecrire(_ annee: Int, _ mois: Int, _ jour: Int) -> String {
        "\(annee)-\(deuxChiffres(mois))-\(deuxChiffres(jour))"
    }

    public init(from decoder: any Decoder) throws {
        let conteneur = try decoder.singleValueContainer()
        let texte = try conteneur.decode(String.self)
        do {
            try self.init(iso: texte)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: conteneur.codingPath, debugDescription: error.message, underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var conteneur = encoder.singleValueContainer()
        try conteneur.encode(iso)
    }
}

func deuxChiffres(_ n: Int) -> String { n < 10 && n >= 0 ? "0\(n)" : "\(n)" }
