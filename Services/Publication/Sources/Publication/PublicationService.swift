import Foundation
import Messaging
import Referentiel
import ServiceKit
import Storage

/// Publication: results day and after (schema `publication`). It keeps its copy of the
/// candidatures, the results and the signed PVs from events; holds everything under embargo until
/// the gestionnaire opens the session's publication step; then reconciles every result against
/// its PV and releases them at once — to candidates, établissements, the gateway's public site
/// and outside bodies (`cyclades.resultats`). See README.md.
public enum PublicationService: CycladesService {
    public static let name = "publication"

    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Publication resource bundle has no Migrations folder")
        }
        return try Migration.load(source: name, directory: directory)
    }

    public static func build(_ runtime: ServiceRuntime) throws -> ServiceParts {
        let database = runtime.database
        let referentiel = ReferentielReglementation(database: database)
        let liberation = Liberation(database: database)
        let publications = PublicationRepository(database: database)
        let finDeSession = FinDeSessionRoutes(
            documents: DocumentRepository(database: database), publications: publications, outbox: runtime.outbox,
            adresseVerification: runtime.configuration.environment["CYCLADES_PUBLIC_URL"].map { "\($0)/verification" }
                ?? "la page publique de vérification des diplômes (/verification)")
        return ServiceParts(
            router: runtime.router { api in
                PublicRoutes(publications: publications, referentiel: referentiel).add(to: api)
                CandidatRoutes(publications: publications).add(to: api)
                finDeSession.add(to: api)
                let espace = EspaceRoutes(espace: EspaceRepository(database: database))
                espace.add(to: api)
                let session = api.add(middleware: SessionCloseGarde(referentiel: referentiel))
                PublicationRoutes(database: database, publications: publications, liberation: liberation, outbox: runtime.outbox)
                    .add(to: session)
                finDeSession.addGestion(to: session)
                ExtractionRoutes(publications: publications, referentiel: referentiel).add(to: session)
                espace.addSession(to: session)
            },
            queues: [.events(of: name, handlers(runtime: runtime))])
    }

    /// The events it keeps its copies from and that end the embargo: réglementation's sessions and
    /// step services, inscription's candidatures, délibération's results and PVs.
    public static func handlers(runtime: ServiceRuntime) -> MessageHandlers {
        let database = runtime.database
        return CopieRepository(
            database: database, referentiel: ReferentielReglementation(database: database), liberation: Liberation(database: database)
        ).handlers()
    }
}
