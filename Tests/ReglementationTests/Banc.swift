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
            let app = Application(router: runtime.router(for: ReglementationService.self))
            try await app.test(.router) { client in try await body(Banc(runtime: runtime, client: client)) }
        }
    }

    struct Reponse: Sendable {
        var status: HTTPResponse.Status
        var corps: ByteBuffer
        var headers: HTTPFields

        var texte: String { String(buffer: corps) }

        func json<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            try MessageCoding.decoder().decode(T.self, from: Data(buffer: corps))
        }

        /// The error body `{code, message, details}`.
        var probleme: Problem { get throws { try JSONDecoder().decode(Problem.self, from: Data(buffer: corps)) } }
    }

    /// One request as `role` (`nil`: no token at all).
    func appel(
        _ method: HTTPRequest.Method, _ uri: String, _ role: Role? = .gestionnaire, json: String? = nil,
        corps: ByteBuffer? = nil, scopes: Set<String> = [], sujet: String = "gestionnaire-test", headers: HTTPFields = [:]
    ) async throws -> Reponse {
        var champs = headers
        if let role {
            let token = try await runtime.tokens.sign(InternalIdentity(subject: sujet, role: role, scopes: scopes))
            champs[.authorization] = "Bearer \(token)"
        }
        if json != nil { champs[.contentType] = "application/json" }
        let body = corps ?? json.map { ByteBuffer(string: $0) }
        let response = try await client.execute(uri: uri, method: method, headers: champs, body: body)
        return Reponse(status: response.status, corps: response.body, headers: response.headers)
    }

    /// Opens a new session of `nature` (an unused code) and returns its code.
    func nouvelleSession(_ nature: SessionCode.Nature = .normale, academie: String = "A01", extra: String = "") async throws -> String {
        let code = try await Self.codeLibre(nature, database: database)
        let reponse = try await appel(.post, "/v1/sessions", json: #"{"code":"\#(code)","academie":"\#(academie)","libelle":"Session de test"\#(extra)}"#)
        guard reponse.status == .created else { throw TestStackError("session \(code) not created: \(reponse.status) \(reponse.texte)") }
        return code
    }

    /// A session code of `nature` no earlier run left in the schema.
    static func codeLibre(_ nature: SessionCode.Nature, database: Database) async throws -> String {
        for _ in 0..<200 {
            let code = "BP-20\(Int.random(in: 40...99))-\(String(format: "%02d", Int.random(in: 1...12)))-\(nature.lettre)"
            if try await database.count("sessions", where: "code = '\(code)'") == 0 { return code }
        }
        throw TestStackError("no free session code")
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

/// UAIs for tests: random, with the right check letter or a wrong one.
enum UAIs {
    static func valide() -> String {
        let chiffres = String(format: "%07d", Int.random(in: 0...9_999_999))
        return chiffres + String(UAI.checkLetter(for: chiffres)!)
    }

    /// The same digits with another check letter.
    static func mauvaiseLettre(_ uai: String) -> String {
        let lettres = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
        let juste = uai.last!
        let index = lettres.firstIndex(of: juste)!
        return String(uai.dropLast()) + String(lettres[(index + 1) % lettres.count])
    }
}

struct Problem: Decodable {
    var code: String
    var message: String
    var details: [ServiceError.Detail]?
}
