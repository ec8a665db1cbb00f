import Domain
import Foundation
import Messaging

/// `deliberation.jury.clos` v2 — a jury closed and its président signed the PV de tenue (version
/// `versionPV`: 2 and more after a reopening). Its candidates' results came just before, one
/// `deliberation.resultat.arrete` each. v2 carries what the PV signed for each candidate
/// (`resultats`), so that Publication reconciles every result against it before release.
public struct JuryClos: MessageContract, Equatable {
    public static let type = "deliberation.jury.clos"
    public static let version = 2

    /// One line of the signed PV.
    public struct Arrete: Codable, Sendable, Equatable {
        public var candidature: UUID
        public var numero: String
        public var decision: String
        public var revision: Int
        /// The grades the jury saw, canonical (`ResultatArrete.notesSignees`).
        public var notes: String

        public init(candidature: UUID, numero: String, decision: String, revision: Int, notes: String) {
            self.candidature = candidature
            self.numero = numero
            self.decision = decision
            self.revision = revision
            self.notes = notes
        }

        public init(_ resultat: ResultatArrete) {
            self.init(candidature: resultat.candidature, numero: resultat.numero, decision: resultat.decision,
                      revision: resultat.revision, notes: resultat.notesSignees)
        }
    }

    public var session: SessionCode
    public var jury: String
    public var specialite: String
    public var candidats: Int
    public var admis: Int
    public var versionPV: Int
    public var closPar: String
    public var resultats: [Arrete]

    public init(session: SessionCode, jury: String, specialite: String, candidats: Int, admis: Int, versionPV: Int, closPar: String,
                resultats: [Arrete]) {
        self.session = session
        self.jury = jury
        self.specialite = specialite
        self.candidats = candidats
        self.admis = admis
        self.versionPV = versionPV
        self.closPar = closPar
        self.resultats = resultats
    }
}
