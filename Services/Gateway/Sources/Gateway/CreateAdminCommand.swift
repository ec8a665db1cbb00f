import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// `cyclades-gateway compte-initial`: creates an account from the command line — the first
/// administrator of an installation, or the demo's accounts. With `--mot-de-passe-stdin` the
/// password is read from standard input and the account is active at once; otherwise an
/// activation link is printed.
public struct CreateAdminCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compte-initial", abstract: "Create an account (e.g. the first admin) from the command line.")

    public init() {}

    @Option(help: "Login (identifiant).") var identifiant: String
    @Option(help: "Display name.") var nom: String
    @Option(help: "Role: admin, gestionnaire, etablissement, correcteur, interrogateur, president_jury, chef_centre, candidat.")
    var role: String = "admin"
    @Option(help: "Scopes, e.g. uai:0750655E (repeatable).") var habilitation: [String] = []
    @Option(help: "E-mail address.") var courriel: String?
    @Flag(help: "Read the password from standard input (the account is active at once).") var motDePasseStdin = false

    public func run() async throws {
        let configuration = try ServiceConfiguration(serviceName: GatewayService.name)
        Observability.bootstrap(level: .warning)
        let runtime = await ServiceRuntime(configuration: configuration)
        guard let role = Role(rawValue: role) else { throw ValidationError("unknown role \(self.role)") }
        let password = motDePasseStdin ? readLine(strippingNewline: true) ?? "" : nil
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await runtime.database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(GatewayService.self))
            let components = try await GatewayComponents(runtime: runtime)
            let identity = components.identity
            let system = InternalIdentity(subject: "cli", role: .admin)
            let login = IdentityService.normalize(identifiant)
            let account: Account
            if let existing = try await identity.accounts.credentials(login: login)?.account {
                account = existing
                print("account \(login) exists (\(existing.role.rawValue), \(existing.state.rawValue))")
            } else {
                account = try await identity.create(
                    .init(identifiant: identifiant, nom: nom, courriel: courriel, role: role, habilitations: habilitation),
                    by: system, address: "cli")
                print("account \(account.login) created (\(account.role.rawValue))")
            }
            if let password {
                let problems = PasswordPolicy.problems(password, login: account.login)
                guard problems.isEmpty else { throw ValidationError(problems.joined(separator: " ")) }
                try await runtime.database.transaction { connection in
                    try await identity.accounts.setPassword(id: account.id, hash: try await identity.hasher.hash(password), on: connection)
                }
                print("password set: the account is active")
            } else if account.state == .enAttente {
                let secret = OneTimeTokens.linkSecret()
                try await runtime.database.transaction { connection in
                    try await identity.tokens.issue(.activation, account: account.id, secret: secret, validFor: .seconds(7 * 24 * 3600), on: connection)
                }
                print("activation link (valid 7 days, once): \(components.configuration.publicURL)/activation?jeton=\(secret)")
            }
        }
    }
}
