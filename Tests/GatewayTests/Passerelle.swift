import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import Storage
import TestSupport
@testable import Gateway

/// The gateway on its real schema (role `gateway` of the test stack), called through its router,
/// with fast bcrypt and the services it talks to chosen by each test.
struct Passerelle: Sendable {
    let components: GatewayComponents
    let client: any TestClientProtocol

    var identity: IdentityService { components.identity }
    var database: Database { components.runtime.database }

    static let motDePasse = "Correct-Cheval-9"

    /// A login part no earlier run used (letters and digits: logins take no `_`).
    static func unique(_ prefix: String) -> String {
        "\(prefix)\(UInt64.random(in: 0...UInt64(UInt32.max) << 8))"
    }

    /// Runs `body` against a gateway whose services answer at `services` (name → base URL; the
    /// ones not named point at a closed port) with `timeout` per service call, or the one
    /// `timeouts` gives a service. The default is generous: on two cores running every suite at
    /// once a live service can take seconds to answer; a test that wants a deadline to expire
    /// points the service at a silent port and gives it a short one.
    static func avec(
        services: [String: String] = [:], timeout: Duration = .seconds(60), timeouts: [String: Duration] = [:],
        mode: TestingSetup = .router, environnement: [String: String] = [:],
        _ body: @escaping @Sendable (Passerelle) async throws -> Void
    ) async throws {
        var environment = try TestStack.environment("gateway").merging(environnement) { $1 }
        environment["CYCLADES_BCRYPT_COST"] = "4"
        // The mails go whole to a directory of this run, as to the operator's mailer.
        environment["CYCLADES_MAIL_DIR"] = FileManager.default.temporaryDirectory
            .appendingPathComponent("cyclades-courriels-\(UUID().uuidString)").path
        let ferme = "http://127.0.0.1:\(try PortsDeTest.ferme())"
        environment["CYCLADES_SERVICE_URLS"] = ServiceDirectory.services
            .map { "\($0)=\(services[$0] ?? ferme)" }.joined(separator: ",")
        func milliseconds(_ duration: Duration) -> Int64 {
            duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        }
        environment["CYCLADES_SERVICE_TIMEOUT_MS"] = "\(milliseconds(timeout))"
        environment["CYCLADES_SERVICE_TIMEOUTS_MS"] = timeouts.map { "\($0)=\(milliseconds($1))" }.joined(separator: ",")
        let runtime = await ServiceRuntime(configuration: try ServiceConfiguration(serviceName: "gateway", environment: environment))
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(GatewayService.self))
            // The rate limits' clock stands still: a test's attempts all fall in one window
            // however slowly the machine runs them.
            let debut = ContinuousClock.now
            let components = try await GatewayComponents(
                runtime: runtime, limiter: RateLimiter(clock: { debut }), horlogeConsultations: { 0 })
            try await Application(router: try components.router()).test(mode) { client in
                try await body(Passerelle(components: components, client: client))
            }
        }
    }

    // MARK: Accounts

    struct Compte: Sendable {
        var account: Account
        var motDePasse: String?
        var login: String { account.login }
        var id: String { account.id.uuidString.lowercased() }
    }

    /// A new account of `role`, active with `motDePasse` (nil: left waiting for its activation).
    func compte(
        _ role: Role, habilitations: [String] = [], courriel: String? = nil, motDePasse: String? = Passerelle.motDePasse,
        prefixe: String = "t"
    ) async throws -> Compte {
        let login = "\(Passerelle.unique(prefixe))@test.fr"
        let account = try await identity.create(
            .init(identifiant: login, nom: "Compte \(role.rawValue)", courriel: courriel, role: role, habilitations: habilitations),
            by: InternalIdentity(subject: "test", role: .admin), address: nil)
        if let motDePasse {
            let hash = try await identity.hasher.hash(motDePasse)
            try await database.transaction { connection in
                try await identity.accounts.setPassword(id: account.id, hash: hash, on: connection)
            }
        }
        var active = account
        if motDePasse != nil { active.state = .actif }
        return Compte(account: active, motDePasse: motDePasse)
    }

    /// A session token for `compte`, opened directly (no login request, so no rate limit spent).
    func jeton(_ compte: Compte) async throws -> String {
        try await identity.sessions.open(compte.account, address: nil, userAgent: "tests").token
    }

    /// Logs in through the API.
    func connexion(_ login: String, _ motDePasse: String) async throws -> Reponse {
        try await appel(.post, "/api/v1/auth/connexion", json: Self.json(["identifiant": login, "motDePasse": motDePasse]))
    }

    // MARK: Requests

    struct Reponse: Sendable {
        var status: HTTPResponse.Status
        var corps: ByteBuffer
        var headers: HTTPFields

        var texte: String { String(buffer: corps) }

        func json<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(buffer: corps))
        }

        /// The body as a JSON object.
        var objet: [String: Any] {
            get throws {
                guard let value = try JSONSerialization.jsonObject(with: Data(buffer: corps)) as? [String: Any] else {
                    throw TestStackError("not a JSON object: \(texte)")
                }
                return value
            }
        }

        /// The error body `{code, message, details}`.
        var probleme: Problem { get throws { try json(Problem.self) } }
    }

    /// One request, as the holder of `jeton` (nil: anonymous).
    func appel(
        _ method: HTTPRequest.Method, _ uri: String, jeton: String? = nil, json: String? = nil, headers: HTTPFields = [:],
        corps: String? = nil
    ) async throws -> Reponse {
        var champs = headers
        if let jeton { champs[.authorization] = "Bearer \(jeton)" }
        if json != nil { champs[.contentType] = "application/json" }
        // `corps`: a body sent with the type `headers` give (or none).
        let response = try await client.execute(uri: uri, method: method, headers: champs, body: (json ?? corps).map { ByteBuffer(string: $0) })
        return Reponse(status: response.status, corps: response.body, headers: response.headers)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    // MARK: Database

    /// The mails sent to `recipient`, oldest first, whole — as the mailer gets them from the
    /// mail directory (the outbox keeps them with their links masked).
    func courriels(pour recipient: String) async throws -> [(subject: String, body: String, purpose: String)] {
        try Self.courriels(dans: components.configuration.mailDirectory, pour: recipient)
    }

    /// The mails of `directory` (the gateway's `CYCLADES_MAIL_DIR`) sent to `recipient`, oldest first.
    static func courriels(dans directory: String, pour recipient: String) throws -> [(subject: String, body: String, purpose: String)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        var mails: [(String, String, String)] = []
        for name in names {
            let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(name), encoding: .utf8)
            guard let blank = text.range(of: "\n\n") else { continue }
            var headers: [String: String] = [:]
            for line in text[..<blank.lowerBound].split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2 { headers[parts[0]] = parts[1] }
            }
            guard headers["To"] == recipient else { continue }
            mails.append((headers["Subject"] ?? "", String(text[blank.upperBound...]), headers["X-Cyclades-Objet"] ?? ""))
        }
        return mails
    }

    /// The `jeton=` secret of a mailed link.
    static func jetonDuLien(_ body: String) throws -> String {
        guard let match = body.firstMatch(of: /jeton=([A-Za-z0-9_-]+)/) else { throw TestStackError("no link in \(body)") }
        return String(match.1)
    }

    /// The audit entries of `actor`, newest first (read through the API as an admin).
    func audit(acteur: String, admin: String) async throws -> [AccessAudit.Entry] {
        let reponse = try await appel(.get, "/api/v1/audit?acteur=\(acteur)&taille=50", jeton: admin)
        guard reponse.status == .ok else { throw TestStackError("audit: \(reponse.status) \(reponse.texte)") }
        return try reponse.json(PageDe<AccessAudit.Entry>.self).items
    }
}

struct Problem: Decodable, Sendable {
    var code: String
    var message: String
    var details: [ServiceError.Detail]?
}

struct PageDe<Item: Decodable & Sendable>: Decodable, Sendable {
    var items: [Item]
    var total: Int?
    var page: Int
    var taille: Int
}

/// The `{jeton, expireLe, compte}` of a login.
struct Connexion: Decodable, Sendable {
    var jeton: String
    var expireLe: Date
    var compte: Account
}
