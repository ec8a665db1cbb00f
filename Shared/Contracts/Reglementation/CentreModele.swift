// Values shared by the centre messages (`reglementation.centre.*`).

/// What an établissement does in a session.
public enum RoleCentre: String, Codable, Sendable, CaseIterable, Comparable {
    case inscription
    case epreuve
    case correction
    case deliberation

    public var libelle: String {
        switch self {
        case .inscription: "centre d'inscription"
        case .epreuve: "centre d'épreuve"
        case .correction: "centre de correction"
        case .deliberation: "centre de délibération"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Public or private établissement.
public enum Secteur: String, Codable, Sendable, CaseIterable {
    case `public`
    case prive
}

/// A room of a centre d'épreuve and its seats.
public struct Salle: Codable, Sendable, Equatable, Hashable {
    public var nom: String
    public var places: Int

    public init(nom: String, places: Int) {
        self.nom = nom
        self.places = places
    }
}
