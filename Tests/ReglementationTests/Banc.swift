import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import PostgresNIO
import Reglementation
import ServiceKit
import ServiceTestSupport
import Storage
import TestSupport

/// The Réglementation service on its real schema (role `reglementation` of the test stack),
/// called through its router as the gateway would, with signed internal tokens.
struct Banc: Sendable {
    let runtime: ServiceRuntime
    let client: any TestClientProtocol

    var database: Database { runtime.database }

    static func avecService(_ body: @escaping @Sendable (Banc) async throws -> Void) async throws {
        let configuration = try ServiceConfiguration(
            serviceName: ReglementationService.name, environment: TestStack.environment("reglementation"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(ReglementationService.self))
            let app = Application(router: try await runtime.router(for: ReglementationService.self))
            try await app.test(.router) { client in try await body(Banc(runtime: runtime, client: client)) }
        }
    }

    typealias Reponse = ReponseService

    /// One request as `role` (`nil`: no token at all).
    func appel(
        _ method: HTTPRequest.Method, _ uri: String, _ role: Role? = .gestionnaire, json: String? = nil,
        corps: ByteBuffer? = nil, scopes: Set<String> = [], sujet: String = "gestionnaire-test", headers: HTTPFields = [:]
    ) async throws -> Reponse {
        try await client.appelService(
            method, uri, identite: role.map { InternalIdentity(subject: sujet, role: $0, scopes: scopes) }, tokens: runtime.tokens,
            headers: headers, contentType: json.map { _ in "application/json" }, corps: corps ?? json.map { ByteBuffer(string: $0) })
    }

    /// Opens a new session of `nature` (an unused code) and returns its code.
    func nouvelleSession(_ nature: SessionCode.Nature = .normale, academie: String = "A01", extra: String = "") async throws -> String {
        let code = try await Self.codeLibre(nature, database: database)
        let reponse = try await appel(.post, "/v1/sessions", json: #"{"code":"\#(code)","academie":"\#(academie)","libelle":"Session de test"\#(extra)}"#)
        guard reponse.status == .created else { throw TestStackError("session \(code) not created: \(reponse.status) \(reponse.texte)") }
        return code
    }

    /// A session code of `nature` no other test uses.
    static func codeLibre(_ nature: SessionCode.Nature, database: Database) async throws -> String {
        let nature: SessionsDeTest.SessionNature = switch nature {
        case .normale: .normale
        case .remplacement: .remplacement
        case .vae: .vae
        }
        return try await SessionsDeTest.reserver(natures: [nature], annees: 2040...2099)
    }

    /// Events of `type` written for `aggregate`, decoded, oldest first.
    func evenements<P: MessageContract>(_ type: P.Type, aggregate: String) async throws -> [P] {
        let rows = try await database.query(PostgresQuery(
            unsafeSQL: "SELECT convert_from(envelope, 'UTF8') FROM \(database.table("outbox")) WHERE type = $1 AND aggregate = $2 ORDER BY position",
            binds: { var b = PostgresBindings(); b.append(P.type); b.append(aggregate); return b }()))
        var result: [P] = []
        for try await texte in rows.decode(String.self) {
            result.append(try MessageCoding.decoder().decode(Envelope<P>.self, from: Data(texte.utf8)).payload)
        }
        return result
    }
}
