import Domain

/// The form a candidate chose at registration (final).
public enum Forme: String, Sendable, Codable, Equatable, CaseIterable {
    /// All units in one session (apprentices); only bénéfices ≥ 10 may be carried.
    case globale
    /// Units over several sessions: grades ≥ 10 kept, grades < 10 carried or sat again.
    case progressive

    public var libelle: String { self == .globale ? "forme globale" : "forme progressive" }
}

/// The session being deliberated: its code and the day of the deliberation, which dates the
/// units obtained now and against which the 5-year validity of earlier grades is checked.
public struct SessionDeliberee: Sendable, Codable, Equatable {
    public var code: SessionCode
    public var date: Jour

    public init(code: SessionCode, date: Jour) {
        self.code = code
        self.date = date
    }
}

/// What is known of one unit for this candidate. A unit may have several: grades of earlier
/// sessions and this session's result; the engine chooses what counts.
public struct Resultat: Sendable, Codable, Equatable {
    /// The unit's code in the barème (`U20`).
    public var unite: String
    public var origine: Origine

    public init(unite: String, origine: Origine) {
        self.unite = unite
        self.origine = origine
    }

    public enum Origine: Sendable, Codable, Equatable {
        /// This session's result: a grade, `ABS`, `ABJ`, `DI` (neutralised) or `NN` (not yet entered).
        case session(note: Note)
        /// A grade of an earlier session, carried at the candidate's request: a bénéfice when
        /// ≥ 10, a report (forme progressive only) when < 10; valid 5 years from `obtenueLe`.
        case anterieure(note: Centiemes, session: SessionCode, obtenueLe: Jour)
        /// Dispensed of the unit (another diploma, base des ACQUIS).
        case dispense
    }

    /// This session's grade, from hundredths as typed: throws `deliberation.note` outside 0…2000.
    public static func note(_ unite: String, _ centiemes: Int) throws(DomainError) -> Resultat {
        Resultat(unite: unite, origine: .session(note: .valeur(try Resultat.centiemes(centiemes, unite: unite))))
    }

    /// This session's `ABS`, `ABJ`, `DI` or `NN`.
    public static func code(_ unite: String, _ note: Note) -> Resultat {
        Resultat(unite: unite, origine: .session(note: note))
    }

    /// An earlier session's grade, from hundredths: throws `deliberation.note` outside 0…2000.
    public static func anterieure(_ unite: String, _ centiemes: Int, session: SessionCode, obtenueLe: Jour) throws(DomainError) -> Resultat {
        Resultat(
            unite: unite,
            origine: .anterieure(note: try Resultat.centiemes(centiemes, unite: unite), session: session, obtenueLe: obtenueLe))
    }

    public static func dispense(_ unite: String) -> Resultat {
        Resultat(unite: unite, origine: .dispense)
    }

    private static func centiemes(_ valeur: Int, unite: String) throws(DomainError) -> Centiemes {
        do {
            return try Centiemes(valeur)
        } catch {
            throw ErreurDeliberation.note("Unité \(unite.prefix(20)) : \(error.message)")
        }
    }
}

/// A candidate's situation for one spécialité's règlement: everything the rules of award read.
/// Built by the Délibération service from events, or typed in for a simulation.
public struct Situation: Sendable, Codable, Equatable {
    /// The candidate's numéro, or any label (a simulation may leave it empty).
    public var candidat: String
    public var forme: Forme
    public var session: SessionDeliberee
    /// In any order; several per unit allowed (earlier grades and this session's result).
    public var resultats: [Resultat]

    public init(candidat: String = "", forme: Forme, session: SessionDeliberee, resultats: [Resultat]) {
        self.candidat = candidat
        self.forme = forme
        self.session = session
        self.resultats = resultats
    }

    public static let maximumResultats = 200
}
