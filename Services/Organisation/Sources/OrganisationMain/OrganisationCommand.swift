import ArgumentParser
import Organisation
import ServiceKit

@main
struct OrganisationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cyclades-organisation",
        abstract: "Cyclades BP — Organisation and déroulement service.",
        subcommands: [
            ServeCommand<OrganisationService>.self,
            MigrateCommand<OrganisationService>.self,
            DeadLetterCommand<OrganisationService>.self,
        ],
        defaultSubcommand: ServeCommand<OrganisationService>.self)
}
