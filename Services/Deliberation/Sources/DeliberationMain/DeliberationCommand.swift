import ArgumentParser
import Deliberation
import ServiceKit

@main
struct DeliberationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cyclades-deliberation",
        abstract: "Cyclades BP — Délibération service.",
        subcommands: [
            ServeCommand<DeliberationService>.self,
            MigrateCommand<DeliberationService>.self,
            DeadLetterCommand<DeliberationService>.self,
        ],
        defaultSubcommand: ServeCommand<DeliberationService>.self)
}
