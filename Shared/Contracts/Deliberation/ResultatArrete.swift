import Domain
import Foundation
import Messaging

/// `deliberation.resultat.arrete` v1 — the jury closed: one candidate's result. A reopened jury
/// that closes again sends a higher `revision`; a consumer keeps the highest. Publication makes
/// it public (relevé de notes, diploma); outside systems receive it from there.
public struct ResultatArrete: MessageContract, Equatable {
    public static let type = "deliberation.resultat.arrete"
    public static let version = 1

    /// One unit as the relevé de notes shows it.
    public struct Unite: Codable, Sendable, Equatable {
        public var unite: String
        public var libelle: String
        public var coefficient: Int?
        public var facultative: Bool
        /// The grade that counts: `12.50`, `ABS`, `ABJ`, `DI`; none for a dispensed unit or one
        /// not sat.
        public var note: String?
        /// `obtenue`, `non_obtenue`, `benefice_reporte`, `note_reportee`, `dispensee`,
        /// `neutralisee`, `absente`, `absence_justifiee`, `non_passee`.
        public var statut: String
        /// The earlier session the grade comes from (bénéfice, grade carried).
        public var sessionOrigine: String?
        /// Raised by the jury (points de jury).
        public var pointsDeJury: Bool

        public init(unite: String, libelle: String, coefficient: Int?, facultative: Bool, note: String?, statut: String,
                    sessionOrigine: String?, pointsDeJury: Bool) {
            self.unite = unite
            self.libelle = libelle
            self.coefficient = coefficient
            self.facultative = facultative
            self.note = note
            self.statut = statut
            self.sessionOrigine = sessionOrigine
            self.pointsDeJury = pointsDeJury
        }
    }

    /// A unit's grade the candidate keeps for later sessions (not admis), with its 5-year limit:
    /// obtained (≥ 10, `acquis`) or, in the forme progressive, below 10 and carried if he wishes
    /// (`reportables`).
    public struct Acquis: Codable, Sendable, Equatable {
        public var unite: String
        public var note: String
        public var session: String
        /// `YYYY-MM-DD`.
        public var obtenueLe: String
        public var valableJusquAu: String

        public init(unite: String, note: String, session: String, obtenueLe: String, valableJusquAu: String) {
            self.unite = unite
            self.note = note
            self.session = session
            self.obtenueLe = obtenueLe
            self.valableJusquAu = valableJusquAu
        }
    }

    public var session: SessionCode
    public var candidature: UUID
    public var numero: String
    public var specialite: String
    /// The jury's code (`J01`).
    public var jury: String
    /// `admis`, `ajourne`, `en_cours` (forme progressive, units left), `absent`.
    public var decision: String
    /// The average truncated to hundredths (`10.64`); none when not computed.
    public var moyenne: String?
    /// Raised to admis by the jury's decision.
    public var decisionDuJury: Bool
    public var unites: [Unite]
    public var acquis: [Acquis]
    public var reportables: [Acquis]
    public var attestationDeReussite: Bool
    public var sessionDeRemplacement: Bool
    public var revision: Int

    public init(
        session: SessionCode, candidature: UUID, numero: String, specialite: String, jury: String, decision: String,
        moyenne: String?, decisionDuJury: Bool, unites: [Unite], acquis: [Acquis], reportables: [Acquis], attestationDeReussite: Bool,
        sessionDeRemplacement: Bool, revision: Int
    ) {
        self.session = session
        self.candidature = candidature
        self.numero = numero
        self.specialite = specialite
        self.jury = jury
        self.decision = decision
        self.moyenne = moyenne
        self.decisionDuJury = decisionDuJury
        self.unites = unites
        self.acquis = acquis
        self.reportables = reportables
        self.attestationDeReussite = attestationDeReussite
        self.sessionDeRemplacement = sessionDeRemplacement
        self.revision = revision
    }
}

extension ResultatArrete {
    /// The grades of the result in one canonical line (`moyenne=10.64;U10=12.50/obtenue;U20=ABS/absente*`,
    /// `*` for points de jury), as the PV signs them: Publication compares the two, so that no
    /// grade differs between what the jury signed and what is published.
    public var notesSignees: String {
        (["moyenne=\(moyenne ?? "-")"]
            + unites.sorted { $0.unite < $1.unite }.map { "\($0.unite)=\($0.note ?? "-")/\($0.statut)\($0.pointsDeJury ? "*" : "")" })
            .joined(separator: ";")
    }
}
