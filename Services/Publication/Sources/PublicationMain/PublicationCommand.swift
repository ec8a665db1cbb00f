import ArgumentParser
import Publication
import ServiceKit

@main
struct PublicationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cyclades-publication",
        abstract: "Cyclades BP — Publication service.",
        subcommands: [
            ServeCommand<PublicationService>.self,
            MigrateCommand<PublicationService>.self,
            DeadLetterCommand<PublicationService>.self,
        ],
        defaultSubcommand: ServeCommand<PublicationService>.self)
}
