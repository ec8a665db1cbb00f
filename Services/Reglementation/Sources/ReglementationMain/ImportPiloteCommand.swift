import ArgumentParser
import Foundation
import Reglementation
import ServiceKit

/// `cyclades-reglementation import-pilote FILE`: checks a national pilot file and imports its new
/// versions. Prints one line per error (`location: message`) and exits 1 when there is any, in
/// which case nothing was changed.
struct ImportPiloteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-pilote",
        abstract: "Import a national pilot file (YAML); nothing is changed when it has any error.")

    @Argument(help: "The pilot file, e.g. Services/Reglementation/Pilote/pilote-national.yaml.")
    var fichier: String

    func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: ReglementationService.name)
        Observability.bootstrap(level: configuration.logLevel)
        let reussi = try await ImportPiloteCommande.executer(fichier: fichier, configuration: configuration) { print($0) }
        if !reussi { throw ExitCode(1) }
    }
}
