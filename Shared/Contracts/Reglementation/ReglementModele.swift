import Domain

// The content of a national règlement, as `reglementation.publiee` carries it and as the
// Réglementation service stores it. Consumers keep their own copy of these values.

/// The form of a unit's test.
public enum FormeEpreuve: String, Codable, Sendable, CaseIterable, Comparable {
    case ecrite
    case orale
    case pratique

    public var libelle: String {
        switch self {
        case .ecrite: "écrite"
        case .orale: "orale"
        case .pratique: "pratique"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How a unit is assessed for a category of candidates.
public enum ModeEvaluation: String, Codable, Sendable, CaseIterable {
    /// Contrôle en cours de formation.
    case ccf
    case ponctuel
}

/// The categories of candidates the règlement distinguishes (DOMAIN.md "CCF or ponctual").
public enum CategorieCandidat: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable, Comparable {
    case apprentiCFAHabilite = "apprenti_cfa_habilite"
    case apprentiCFANonHabilite = "apprenti_cfa_non_habilite"
    case fpcPublicHabilite = "fpc_public_habilite"
    case fpcPrive = "fpc_prive"
    case enseignementADistance = "enseignement_distance"
    /// Grand Public.
    case individuel

    /// Only candidates of habilitated CFAs and habilitated public FPC centres may take CCF.
    public var peutPasserEnCCF: Bool { self == .apprentiCFAHabilite || self == .fpcPublicHabilite }

    public var libelle: String {
        switch self {
        case .apprentiCFAHabilite: "apprenti d'un CFA habilité"
        case .apprentiCFANonHabilite: "apprenti d'un CFA non habilité"
        case .fpcPublicHabilite: "formation continue, établissement public habilité"
        case .fpcPrive: "formation continue, établissement privé"
        case .enseignementADistance: "enseignement à distance"
        case .individuel: "candidat individuel (Grand Public)"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A national date of a unit's ponctual test in one national session, with its subject.
public struct DateNationale: Codable, Sendable, Equatable, Hashable {
    /// The national session, e.g. `BP-2027-06-N`.
    public var session: SessionCode
    /// Local (metropolitan France) date and time, `YYYY-MM-DDTHH:MM`.
    public var debut: String
    /// The subject's national reference.
    public var sujet: String

    public init(session: SessionCode, debut: String, sujet: String) {
        self.session = session
        self.debut = debut
        self.sujet = sujet
    }
}

/// A unit (unité) of a spécialité: what a grade is given for.
public struct Unite: Codable, Sendable, Equatable {
    /// `U10`, `U41`, `UP1`…: unique within the règlement.
    public var code: String
    /// The sub-épreuve carrying it (`E41`) when its épreuve is split into several.
    public var sousEpreuve: String?
    public var libelle: String
    /// An integer weight, > 0; nil for a facultative unit (only points above 10 count).
    public var coefficient: Int?
    public var formes: [FormeEpreuve]
    /// Duration of the ponctual test; nil when it is only assessed in CCF.
    public var dureeMinutes: Int?
    public var preparationMinutes: Int?
    /// Grading step of the ponctual test (default 0.25).
    public var pas: PasDeNotation
    /// Grading step in CCF (default 0.5).
    public var pasCCF: PasDeNotation
    /// Mode for every category of candidates.
    public var modes: [CategorieCandidat: ModeEvaluation]
    public var dates: [DateNationale]

    public init(
        code: String, sousEpreuve: String? = nil, libelle: String, coefficient: Int?,
        formes: [FormeEpreuve], dureeMinutes: Int?, preparationMinutes: Int? = nil,
        pas: PasDeNotation = .quart, pasCCF: PasDeNotation = .demi,
        modes: [CategorieCandidat: ModeEvaluation], dates: [DateNationale] = []
    ) {
        self.code = code
        self.sousEpreuve = sousEpreuve
        self.libelle = libelle
        self.coefficient = coefficient
        self.formes = formes
        self.dureeMinutes = dureeMinutes
        self.preparationMinutes = preparationMinutes
        self.pas = pas
        self.pasCCF = pasCCF
        self.modes = modes
        self.dates = dates
    }
}

/// An épreuve: one unit, several sub-épreuves (all taken), or an option group (one chosen at
/// registration, `auChoix`).
public struct Epreuve: Codable, Sendable, Equatable {
    /// `E1`, `EP2`, `EG4`, `EF`…
    public var code: String
    public var libelle: String
    /// A facultative épreuve: up to 3 per spécialité, a candidate takes at most one.
    public var facultative: Bool
    /// The units are options: the candidate takes exactly one of them.
    public var auChoix: Bool
    /// Sum of its units' coefficients (of one option for an option group); nil when facultative.
    public var coefficient: Int?
    public var unites: [Unite]

    public init(code: String, libelle: String, facultative: Bool = false, auChoix: Bool = false, coefficient: Int?, unites: [Unite]) {
        self.code = code
        self.libelle = libelle
        self.facultative = facultative
        self.auChoix = auChoix
        self.coefficient = coefficient
        self.unites = unites
    }
}

/// A versioned national règlement of one BP spécialité.
public struct Reglement: Codable, Sendable, Equatable {
    /// The spécialité's code, e.g. `BOULANGER`.
    public var specialite: String
    public var libelle: String
    /// Version of the règlement: a given version never changes.
    public var version: Int
    /// The text it comes from (arrêté), when known.
    public var reference: String?
    public var epreuves: [Epreuve]

    public init(specialite: String, libelle: String, version: Int, reference: String?, epreuves: [Epreuve]) {
        self.specialite = specialite
        self.libelle = libelle
        self.version = version
        self.reference = reference
        self.epreuves = epreuves
    }
}
