import Domain

/// The outcome for a candidate at this session.
public enum Decision: String, Sendable, Codable, Equatable, CaseIterable {
    /// Every unit sat, carried or dispensed, no unjustified absence, average ≥ 10.
    case admis
    /// Every unit sat, carried or dispensed, and an average < 10 or an unjustified absence (ABS)
    /// at a compulsory unit.
    case ajourne = "ajourne"
    /// Forme progressive: units remain to be sat at a later session; no decision yet.
    case enCours = "en_cours"
    /// The candidate sat nothing this session: at least one unit was due this session and every
    /// one of them is `ABS` or `ABJ` (no grade at all, the facultative included). Takes precedence
    /// over « en cours » and « ajourné ».
    case absent
    /// A result of this session is still `NN`, or (forme globale) a unit has no result to count:
    /// the decision waits for the missing grades. Not a jury outcome: the preparation's control.
    case incomplet

    public var libelle: String {
        switch self {
        case .admis: "admis"
        case .ajourne: "ajourné"
        case .enCours: "en cours"
        case .absent: "absent"
        case .incomplet: "incomplet (notes manquantes)"
        }
    }
}

/// What counts for one unit, and why.
public enum StatutUnite: String, Sendable, Codable, Equatable, CaseIterable {
    /// A grade ≥ 10 this session.
    case obtenue
    /// A grade < 10 this session.
    case nonObtenue = "non_obtenue"
    /// An earlier grade ≥ 10, kept (5 years from the date obtained).
    case beneficeReporte = "benefice_reporte"
    /// An earlier grade < 10 carried forward (forme progressive, within 5 years).
    case noteReportee = "note_reportee"
    /// Dispensed (another diploma): out of the average.
    case dispensee
    /// `DI` this session: neutralised, out of the average.
    case neutralisee
    /// `ABS` this session: blocks the award.
    case absente
    /// `ABJ` this session: counts 0; opens the session de remplacement.
    case absenceJustifiee = "absence_justifiee"
    /// `NN` this session: the grade is awaited.
    case nonSaisie = "non_saisie"
    /// Nothing counts yet: to be sat at a later session (forme progressive), missing (forme globale).
    case nonPassee = "non_passee"

    public var libelle: String {
        switch self {
        case .obtenue: "obtenue"
        case .nonObtenue: "non obtenue (note < 10)"
        case .beneficeReporte: "bénéfice reporté"
        case .noteReportee: "note < 10 reportée"
        case .dispensee: "dispensée"
        case .neutralisee: "neutralisée (DI)"
        case .absente: "absent (ABS)"
        case .absenceJustifiee: "absence justifiée (ABJ)"
        case .nonSaisie: "note non saisie (NN)"
        case .nonPassee: "non passée"
        }
    }
}

/// One line of the explanation per unit, in the barème's order.
public struct LigneUnite: Sendable, Codable, Equatable {
    /// The unit's code; for an option group not yet chosen, the group's code (`E3`).
    public var unite: String
    public var libelle: String
    /// nil for a facultative unit.
    public var coefficient: Int?
    public var facultative: Bool
    public var statut: StatutUnite
    /// The grade that counts (0 for ABJ); nil when none does.
    public var note: Centiemes?
    /// Whether the unit enters the average (numerator and, when compulsory, denominator).
    public var compte: Bool
    /// Hundredths it adds to the total: coef × note, or the facultative's points above 10.
    public var points: Int
    /// The earlier session the counted grade comes from.
    public var sessionDOrigine: SessionCode?
    public var obtenueLe: Jour?
    /// Last day an earlier grade may be carried (5 years after `obtenueLe`).
    public var valableJusquAu: Jour?
    /// The French line: « U20 Technologie professionnelle : 8,50 × 3 ; note < 10 reportée de la session BP-2027-06-N … ».
    public var explication: String
}

/// A unit the candidate keeps for a later session: obtained (≥ 10) or, in the progressive form,
/// a grade < 10 he may carry; with its validity.
public struct UniteAcquise: Sendable, Codable, Equatable {
    public var unite: String
    public var note: Centiemes
    public var session: SessionCode
    public var obtenueLe: Jour
    public var valableJusquAu: Jour

    /// The result to put in a later session's `Situation`.
    public var resultat: Resultat {
        Resultat(unite: unite, origine: .anterieure(note: note, session: session, obtenueLe: obtenueLe))
    }
}

/// The fewest jury points that would change « ajourné » into « admis »: the smallest raise of one
/// unit's grade (in hundredths, the grade staying ≤ 20) that brings the average to 10.
public struct PointsDeJury: Sendable, Codable, Equatable {
    public var unite: String
    /// The raise, in hundredths of a point (1 = 0,01).
    public var centiemes: Int
    public var noteActuelle: Centiemes
    public var noteNecessaire: Centiemes
    /// The average with that raise (≥ 10).
    public var moyenneObtenue: Moyenne

    /// « 0,25 point sur U10 (12,00 → 12,25) ».
    public var explication: String {
        "\(ecrirePoints(centiemes)) point\(centiemes >= 200 ? "s" : "") de jury sur \(unite) "
            + "(\(noteActuelle.affichage) → \(noteNecessaire.affichage)) porteraient la moyenne à \(moyenneObtenue.affichage)"
    }
}

/// The engine's answer: the decision and its explanation.
public struct Deliberation: Sendable, Codable, Equatable {
    public var candidat: String
    public var specialite: String
    public var session: SessionCode
    public var forme: Forme
    public var decision: Decision
    /// nil when no average is computed: « en cours », « absent », « incomplet », or blocked by an
    /// unjustified absence.
    public var moyenne: Moyenne?
    /// The units that block the award by an unjustified absence (`ABS`).
    public var absencesBloquantes: [String]
    public var unites: [LigneUnite]
    /// Units kept for later sessions with their validity (empty when admis).
    public var acquis: [UniteAcquise]
    /// Forme progressive, not admis: grades < 10 of this session or carried, that may be carried
    /// again (within their 5 years).
    public var reportables: [UniteAcquise]
    /// Ajourné or en cours with at least one unit obtained (≥ 10) at this session.
    public var attestationDeReussite: Bool
    /// Not admis, with an `ABJ` at a compulsory unit: he may sit the session de remplacement.
    public var sessionDeRemplacement: Bool
    /// The compulsory units with an `ABJ`.
    public var unitesARemplacer: [String]
    /// Ajourné with an average < 10 and no blocking absence: the smallest raise that flips the
    /// decision; nil when no single unit of this session can do it.
    public var pointsDeJury: PointsDeJury?
    /// The whole reasoning in French, one sentence a line.
    public var explication: [String]

    /// What to carry into the candidate's next `Situation` (bénéfices and reportable grades).
    public var aReporter: [Resultat] { (acquis + reportables).map(\.resultat) }
}
