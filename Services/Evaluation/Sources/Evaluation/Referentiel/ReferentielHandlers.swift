import Contracts
import Messaging

/// The events Evaluation keeps a copy of: réglementation's sessions, step services and centres,
/// organisation's copies (by numéro d'anonymat, never an identity) and absences. Each handler
/// writes in the consumer's transaction (with the inbox row), so a redelivery changes nothing twice.
enum ReferentielHandlers {
    static func make(_ referentiel: ReferentielRepository) -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.on(SessionOuverte.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
        }
        handlers.on(SessionClose.self) { envelope, context in
            try await referentiel.clore(envelope.payload, on: context.connection)
        }
        handlers.on(ServiceOuvert.self) { envelope, context in
            try await referentiel.ouvrir(envelope.payload.service, session: envelope.payload.session, on: context.connection)
        }
        handlers.on(ServiceFerme.self) { envelope, context in
            try await referentiel.fermer(envelope.payload.service, session: envelope.payload.session, on: context.connection)
        }
        handlers.on(CentreDeclare.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload.centre, on: context.connection)
        }
        handlers.on(CentreModifie.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload.centre, on: context.connection)
        }
        handlers.on(CentreRetire.self) { envelope, context in
            try await referentiel.retirer(envelope.payload, on: context.connection)
        }
        handlers.on(AnonymatAttribue.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
        }
        handlers.on(AbsenceConstatee.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
        }
        return handlers
    }
}
