import Foundation
import Hummingbird
import Messaging
import Referentiel
import ServiceKit
import Storage

/// Inscription: candidats and candidatures, their rules and lifecycle, confirmations, pièces
/// justificatives, aménagements, imports and follow-up (schema `inscription`). Keeps its own
/// copy of the réglementation (sessions, services open, règlement, centres) from its events.
public enum InscriptionService: CycladesService {
    public static let name = "inscription"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Inscription resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    public static func build(_ runtime: ServiceRuntime) -> ServiceParts {
        ServiceParts(
            router: runtime.router { addRoutes(to: $0, runtime: runtime) },
            queues: [.events(of: name, handlers(runtime: runtime))])
    }

    /// The events it keeps its copy from.
    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers {
        ReferentielRepository(database: runtime.database).handlers()
    }

    static func addRoutes(to group: RouterGroup<ServiceRequestContext>, runtime: ServiceRuntime) {
        let inscriptions = inscriptions(runtime)
        let group = group.add(middleware: SessionCloseGarde(referentiel: inscriptions.referentiel))
        CandidatureRoutes(inscriptions: inscriptions).add(to: group)
        ImportRoutes(importation: ImportCandidatures(inscriptions: inscriptions)).add(to: group)
        PieceRoutes(pieces: PieceRepository(database: runtime.database), inscriptions: inscriptions).add(to: group)
        AmenagementRoutes(amenagements: AmenagementRepository(inscriptions: inscriptions, pieces: PieceRepository(database: runtime.database))).add(to: group)
        SuiviRoutes(suivi: SuiviRepository(database: runtime.database), inscriptions: inscriptions).add(to: group)
    }

    static func inscriptions(_ runtime: ServiceRuntime) -> Inscriptions {
        let database = runtime.database
        return Inscriptions(
            referentiel: ReferentielRepository(database: database), candidatures: CandidatureRepository(database: database),
            confirmations: ConfirmationRepository(database: database), outbox: runtime.outbox)
    }
}
