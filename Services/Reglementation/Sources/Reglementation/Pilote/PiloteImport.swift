import Foundation
import Logging
import Messaging
import ServiceKit
import Storage

/// Imports a national pilot file: reads and checks it all, then stores its new versions in one
/// transaction. With any error, nothing changes and every error is reported.
public struct PiloteImport: Sendable {
    let repository: PiloteRepository

    public init(database: Database) { repository = PiloteRepository(database: database) }

    public func importer(_ donnees: [UInt8], par subject: String) async throws -> RapportImport {
        guard let texte = String(validating: donnees, as: UTF8.self) else {
            return RapportImport(specialites: [], erreurs: [
                PiloteErreur(location: "document", code: "pilote.encodage", message: "Le fichier doit être encodé en UTF-8."),
            ])
        }
        let (pilote, erreurs) = PiloteLecture.lire(texte)
        guard let pilote else { return RapportImport(specialites: [], erreurs: erreurs) }
        return try await repository.importer(pilote, par: subject)
    }

    /// The pilot shipped with the service (`Pilote/pilote-national.yaml`).
    public static var piloteLivre: URL {
        guard let dossier = Bundle.module.url(forResource: "Pilote", withExtension: nil) else {
            fatalError("the Reglementation resource bundle has no Pilote folder")
        }
        return dossier.appendingPathComponent("pilote-national.yaml")
    }
}

/// `cyclades-reglementation import-pilote FILE`: the command's work, kept in the library so that
/// it is tested like the rest. Applies the migrations first, prints the outcome one line per
/// spécialité or per error (`location: message`), and returns whether the import succeeded.
public enum ImportPiloteCommande {
    public static func executer(fichier: String, configuration: ServiceConfiguration, sortie: (String) -> Void) async throws -> Bool {
        let donnees: [UInt8]
        do {
            donnees = Array(try Data(contentsOf: URL(fileURLWithPath: fichier)))
        } catch {
            sortie("\(fichier): fichier illisible (\(error.localizedDescription))")
            return false
        }
        var logger = Logger(label: "cyclades.\(ReglementationService.name).import-pilote")
        logger.logLevel = configuration.logLevel
        let database = Database(configuration: configuration.database, logger: logger)
        let rapport = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner(database: database).apply(ServiceRuntime.allMigrations(ReglementationService.self))
            return try await PiloteImport(database: database).importer(donnees, par: "import-pilote")
        }
        for erreur in rapport.erreurs { sortie(erreur.description) }
        guard rapport.erreurs.isEmpty else {
            sortie("\(rapport.erreurs.count) erreur(s) : rien n'a été importé.")
            return false
        }
        for ligne in rapport.specialites {
            sortie("\(ligne.specialite) version \(ligne.version) : \(ligne.statut == .importee ? "importée" : "inchangée")")
        }
        let nouvelles = rapport.specialites.filter { $0.statut == .importee }.count
        sortie("\(nouvelles) version(s) importée(s), \(rapport.specialites.count - nouvelles) inchangée(s).")
        return true
    }
}
