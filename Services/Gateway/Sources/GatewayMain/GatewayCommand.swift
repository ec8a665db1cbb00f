import ArgumentParser
import Gateway
import ServiceKit

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cyclades-gateway",
        abstract: "Cyclades BP — the public gateway: identity, API, web pages.",
        subcommands: [
            ServeCommand<GatewayService>.self,
            MigrateCommand<GatewayService>.self,
            CreateAdminCommand.self,
        ],
        defaultSubcommand: ServeCommand<GatewayService>.self)
}
