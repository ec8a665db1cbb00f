import Contracts
import Messaging
import Referentiel

/// The events organisation consumes: réglementation's through the shared copy, whose hook
/// derives the units of a new règlement and unseats candidates from rooms a centre no longer
/// has; inscription's candidatures. Each handler writes in the consumer's transaction (with the
/// inbox row), so a redelivered message changes nothing twice; what a change of règlement,
/// centre or candidature implies (placement events, copy lists, convocations already generated)
/// follows in the same transaction through `Suites`.
enum ReferentielHandlers {
    static let systeme = "organisation"

    static func make(_ referentiel: ReferentielRepository, suites: Suites, anonymats: AnonymatRepository) -> MessageHandlers {
        var handlers = referentiel.reglementation.handlers { changement, context in
            switch changement {
            case .reglementPublie(let reglement, let nouveau):
                if nouveau { try await referentiel.appliquer(reglement, on: context.connection) }
            case .centre(let centre, let nouveau):
                if nouveau { try await referentiel.appliquer(centre, on: context.connection) }
            case .sessionOuverte, .sessionClose, .serviceOuvert, .serviceFerme, .centreRetire:
                return
            }
            try await suites.apresChangement(session: changement.session.value, par: systeme, on: context.connection)
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
