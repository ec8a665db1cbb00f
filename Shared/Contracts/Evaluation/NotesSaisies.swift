import Domain
import Foundation
import Messaging

/// `evaluation.notes.saisies` v1 — grades of one lot written by one worker transaction (one
/// event per lot and transaction, whatever the number of commands it handled). Anonymous: copies
/// by numéro d'anonymat only. Only changes are listed (a replay or an older revision is not).
/// For live statistics; the final grades of a unit come with `evaluation.notes.consolidees`.
public struct NotesSaisies: MessageContract, Equatable {
    public static let type = "evaluation.notes.saisies"
    public static let version = 1

    public struct NoteSaisie: Codable, Sendable, Equatable {
        public var numeroAnonymat: String
        public var note: Note
        /// The grade's revision (a later write has a higher one).
        public var revision: Int64
        /// The command that carried it.
        public var commande: UUID

        public init(numeroAnonymat: String, note: Note, revision: Int64, commande: UUID) {
            self.numeroAnonymat = numeroAnonymat
            self.note = note
            self.revision = revision
            self.commande = commande
        }
    }

    public var session: SessionCode
    public var unite: String
    public var lot: String
    /// `portail`, `etablissement`, `report` (gestionnaire) or `epsnet` (connector).
    public var sources: [String]
    public var notes: [NoteSaisie]

    public init(session: SessionCode, unite: String, lot: String, sources: [String], notes: [NoteSaisie]) {
        self.session = session
        self.unite = unite
        self.lot = lot
        self.sources = sources
        self.notes = notes
    }
}
