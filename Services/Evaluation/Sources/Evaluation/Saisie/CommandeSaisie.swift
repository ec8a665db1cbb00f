import AMQP
import Crypto
import Foundation
import Messaging
import Synchronization

/// A grade-entry command, as the API puts it on the work queue `evaluation.saisie` and a worker
/// takes it. Every source (grader portal, établissement, gestionnaire's report, EPSNET) comes
/// this one way. The whole command applies or is refused (see the README, "Validation").
struct CommandeSaisie: MessageContract, Equatable {
    /// The idempotency key: a command handled twice changes nothing the second time.
    var id: UUID
    var lot: UUID
    /// Orders writes of a grade: a line applies only over a lower revision (see `Horloge`).
    var revision: Int64
    var par: String
    var role: String
    var source: String
    var lignes: [Ligne]

    /// One grade: the copy's numéro d'anonymat and the canonical grade (`12.50`, `ABS`, `ABJ`, `DI`).
    /// Encoded as a two-element array to keep big lots small on the wire.
    struct Ligne: Codable, Sendable, Equatable {
        var copie: String
        var note: String

        init(copie: String, note: String) {
            self.copie = copie
            self.note = note
        }

        init(from decoder: any Decoder) throws {
            var conteneur = try decoder.unkeyedContainer()
            copie = try conteneur.decode(String.self)
            note = try conteneur.decode(String.self)
        }

        func encode(to encoder: any Encoder) throws {
            var conteneur = encoder.unkeyedContainer()
            try conteneur.encode(copie)
            try conteneur.encode(note)
        }
    }

    /// What the command says, whatever its revision: its lot, its sender and its lines (in
    /// copy order). Two sends of one command id must have the same; otherwise the second is a
    /// different command reusing the id, and is refused.
    var empreinte: String {
        let lignes = self.lignes.sorted { $0.copie < $1.copie }.map { "\($0.copie)\u{1F}\($0.note)" }
        let texte = ([ChaineAudit.texte(lot), par] + lignes).joined(separator: "\u{1E}")
        return ChaineAudit.hex(SHA256.hash(data: Array(texte.utf8)))
    }

    static let type = "evaluation.saisie"
    static let version = 1
    /// The work queue, bound on `cyclades.commands` with its own name as routing key.
    static let queue = "evaluation.saisie"

    static var topology: AMQPTopology { Topology.workQueue(queue) }

    /// The command in its envelope, whose id is the command's (the inbox's idempotency key).
    func message() throws -> AMQPOutgoingMessage {
        let id = self.id.uuidString.lowercased()
        let envelope = Envelope(self, producer: EvaluationService.name, id: self.id, correlationId: id)
        return AMQPOutgoingMessage(
            exchange: Topology.commands, routingKey: Self.queue, body: Array(try MessageCoding.encoder().encode(envelope)),
            messageID: id, type: Self.type, correlationID: id, mandatory: true)
    }
}

/// The revision of a write: microseconds since 1970, strictly increasing within the process
/// (a hybrid clock: never behind the wall clock, never repeating). Two saves of the same grade
/// through the same API process are ordered as they were accepted; through two processes, as
/// their clocks say (same host here; NTP-synchronised hosts elsewhere).
final class Horloge: Sendable {
    private let derniere = Mutex<Int64>(0)

    func suivante() -> Int64 {
        let maintenant = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return derniere.withLock { derniere in
            derniere = max(maintenant, derniere + 1)
            return derniere
        }
    }
}

/// A command's outcome, as the worker records it (`commandes`) and announces it (NOTIFY).
struct ResultatCommande: Codable, Sendable, Equatable {
    var commande: UUID
    /// `enregistree` or `refusee`.
    var statut: String
    /// Lines that changed a grade or its revision.
    var appliquees: Int
    /// Lines a newer revision already superseded (or a replay).
    var ignorees: Int
    var message: String?
}
