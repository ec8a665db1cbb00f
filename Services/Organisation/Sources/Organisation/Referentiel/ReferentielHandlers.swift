import Contracts
import Messaging

/// The events organisation consumes. Each handler writes in the consumer's transaction (with
/// the inbox row), so a redelivered message changes nothing twice; what a change implies
/// (placement events, copy lists, convocations already generated) follows in the same
/// transaction through `Suites`.
enum ReferentielHandlers {
    static let systeme = "organisation"

    static func make(_ referentiel: ReferentielRepository, suites: Suites, anonymats: AnonymatRepository) -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.on(SessionOuverte.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
        }
        handlers.on(SessionClose.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
        }
        handlers.on(ServiceOuvert.self) { envelope, context in
            try await referentiel.ouvrir(envelope.payload.service, session: envelope.payload.session, on: context.connection)
        }
        handlers.on(ServiceFerme.self) { envelope, context in
            try await referentiel.fermer(envelope.payload.service, session: envelope.payload.session, on: context.connection)
        }
        handlers.on(ReglementPublie.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload, on: context.connection)
            try await suites.apresChangement(session: envelope.payload.session.value, par: systeme, on: context.connection)
        }
        handlers.on(CentreDeclare.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload.centre, on: context.connection)
            try await suites.apresChangement(session: envelope.payload.session.value, par: systeme, on: context.connection)
        }
        handlers.on(CentreModifie.self) { envelope, context in
            try await referentiel.enregistrer(envelope.payload.centre, on: context.connection)
            try await suites.apresChangement(session: envelope.payload.session.value, par: systeme, on: context.connection)
        }
        handlers.on(CentreRetire.self) { envelope, context in
            try await referentiel.retirer(envelope.payload, on: context.connection)
        }
        handlers.on(CandidatureValidee.self) { envelope, context in
            let ecrites = try await referentiel.enregistrer([envelope.payload.candidature], on: context.connection)
            try await suites.apresChangement(session: envelope.payload.session.value, candidatures: ecrites.ids,
                                             unitesRetirees: ecrites.unitesRetirees, par: systeme, on: context.connection)
        }
        handlers.on(CandidatureModifiee.self) { envelope, context in
            let ecrites = try await referentiel.enregistrer([envelope.payload.candidature], on: context.connection)
            try await suites.apresChangement(session: envelope.payload.session.value, candidatures: ecrites.ids,
                                             unitesRetirees: ecrites.unitesRetirees, par: systeme, on: context.connection)
        }
        handlers.on(CandidatureAnnulee.self) { envelope, context in
            if let unites = try await referentiel.annuler(envelope.payload, on: context.connection) {
                try await suites.apresChangement(session: envelope.payload.session.value, unitesRetirees: unites, par: systeme, on: context.connection)
            }
        }
        handlers.on(NotesConsolidees.self) { envelope, context in
            try await anonymats.lever(envelope.payload, on: context.connection)
        }
        return handlers
    }
}
