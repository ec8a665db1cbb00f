import ArgumentParser
import Reglementation
import ServiceKit

@main
struct ReglementationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cyclades-reglementation",
        abstract: "Cyclades BP — Réglementation service.",
        subcommands: [
            ServeCommand<ReglementationService>.self,
            MigrateCommand<ReglementationService>.self,
            DeadLetterCommand<ReglementationService>.self,
            ImportPiloteCommand.self,
        ],
        defaultSubcommand: ServeCommand<ReglementationService>.self)
}
