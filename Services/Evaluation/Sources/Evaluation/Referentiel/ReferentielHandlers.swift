import Contracts
import Messaging

/// The events Evaluation keeps a copy of: réglementation's (the shared copy: sessions, step
/// services, règlements, centres), organisation's copies (by numéro d'anonymat, never an
/// identity) and absences. Each handler writes in the consumer's transaction (with the inbox
/// row), so a redelivery changes nothing twice.
enum ReferentielHandlers {
    static func make(_ referentiel: ReferentielRepository) -> MessageHandlers {
        var handlers = referentiel.handlers()
        handlers.on(AnonymatAttribue.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
        }
        handlers.on(AbsenceConstatee.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
        }
        return handlers
    }
}
