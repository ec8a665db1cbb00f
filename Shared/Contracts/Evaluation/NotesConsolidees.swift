import Domain
import Foundation
import Messaging

/// `evaluation.notes.consolidees` v1 — every lot of a unit is locked: its grades, by numéro
/// d'anonymat (deliberation joins identities through `organisation.anonymat.leve`).
public struct NotesConsolidees: MessageContract, Equatable {
    public static let type = "evaluation.notes.consolidees"
    public static let version = 1

    public struct NoteCopie: Codable, Sendable, Equatable {
        public var numeroAnonymat: String
        /// `12.50`, or `ABS`, `ABJ`, `DI` (never `NN`: a unit is consolidated only when complete).
        public var note: Note

        public init(numeroAnonymat: String, note: Note) {
            self.numeroAnonymat = numeroAnonymat
            self.note = note
        }
    }

    public var session: SessionCode
    public var specialite: String
    public var epreuve: String
    public var unite: String
    public var notes: [NoteCopie]

    public init(session: SessionCode, specialite: String, epreuve: String, unite: String, notes: [NoteCopie]) {
        self.session = session
        self.specialite = specialite
        self.epreuve = epreuve
        self.unite = unite
        self.notes = notes
    }
}
