import ArgumentParser
import Inscription
import ServiceKit

@main
struct InscriptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cyclades-inscription",
        abstract: "Cyclades BP — Inscription service.",
        subcommands: [
            ServeCommand<InscriptionService>.self,
            MigrateCommand<InscriptionService>.self,
            DeadLetterCommand<InscriptionService>.self,
        ],
        defaultSubcommand: ServeCommand<InscriptionService>.self)
}
