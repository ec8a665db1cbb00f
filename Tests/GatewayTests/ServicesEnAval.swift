import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Reglementation
import ServiceKit
import Storage
import TestSupport

/// Services behind the gateway, on live sockets: the real Réglementation, and a stand-in for
/// Évaluation (not built yet) that checks the internal token and a correcteur's lots the way
/// the service will, and echoes the caller the token names.
enum ServicesEnAval {
    /// Runs the Réglementation router (real schema, real token check) on a live socket; `body`
    /// gets its base URL.
    static func reglementation<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let configuration = try ServiceConfiguration(
            serviceName: ReglementationService.name, environment: TestStack.environment("reglementation"))
        let runtime = await ServiceRuntime(configuration: configuration)
        return try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(ReglementationService.self))
            return try await Application(router: try await runtime.router(for: ReglementationService.self)).test(.live) { client in
                try await body("http://localhost:\(client.port!)")
            }
        }
    }

    /// What the stand-in saw of a forwarded request.
    struct Echo: ResponseEncodable, Decodable {
        var sujet: String
        var role: String
        var habilitations: [String]
        var methode: String
        var chemin: String
        var requete: String?
        var corps: String?
    }

    /// A lot as the grader's page reads it (`GET /v1/lots/:lot`).
    struct Lot: ResponseEncodable, Decodable {
        var id: String
        var session = "BP-2031-06-N"
        var unite = "U20"
        var epreuve = "E2"
        var numero = 1
        var nature = "ecrit"
        var centre = "0750655E"
        var pas = 25
        var ouvert = true
        var verrouille = false
        var copies = 1
        var saisies = 0
    }

    /// A lot's copies (`GET /v1/lots/:lot/copies`): one, `A-001`.
    struct Copies: ResponseEncodable, Decodable {
        struct Copie: Codable { var numero: String }
        var lot: String
        var copies = "1"
        var items = [Copie(numero: "A-001")]
    }

    /// A stand-in for Évaluation: `/v1/appelant` echoes the caller and the request;
    /// `/v1/lots/:lot`, `/v1/lots/:lot/copies` and `POST /v1/lots/:lot/notes` (which echoes as
    /// `/v1/appelant` does) answer only a correcteur of that lot (or a gestionnaire).
    static func evaluation<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        guard let secret = try TestStack.environment("evaluation")["CYCLADES_INTERNAL_TOKEN_SECRET"] else {
            throw TestStackError("no internal token secret")
        }
        let router = Router(context: ServiceRequestContext.self)
        let v1 = router.group("v1").add(middleware: InternalTokenMiddleware(authority: await InternalTokenAuthority(secret: secret, audience: "evaluation")))
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            v1.on("appelant", method: method) { request, context -> Echo in try await Echo(request, try context.caller()) }
        }
        @Sendable func lotDuCorrecteur(_ context: ServiceRequestContext) throws -> (caller: InternalIdentity, lot: String) {
            let caller = try context.require(.correcteur, .gestionnaire)
            let lot = try context.parameters.require("lot")
            guard caller.role == .gestionnaire || caller.hasScope("lot", lot) else {
                throw ServiceError.forbidden("Accès refusé : ce lot n'est pas le vôtre.")
            }
            return (caller, lot)
        }
        v1.get("lots/:lot") { _, context -> Lot in Lot(id: try lotDuCorrecteur(context).lot) }
        v1.get("lots/:lot/copies") { _, context -> Copies in Copies(lot: try lotDuCorrecteur(context).lot) }
        v1.post("lots/:lot/notes") { request, context -> Echo in try await Echo(request, try lotDuCorrecteur(context).caller) }
        return try await Application(router: router).test(.live) { client in
            try await body("http://localhost:\(client.port!)")
        }
    }
}

extension ServicesEnAval.Echo {
    /// What `caller` sent in `request`.
    init(_ request: Request, _ caller: InternalIdentity) async throws {
        let corps = try await request.body.collect(upTo: 1 << 20)
        self.init(
            sujet: caller.subject, role: caller.role.rawValue, habilitations: caller.scopes.sorted(),
            methode: request.method.rawValue, chemin: request.uri.path, requete: request.uri.query,
            corps: corps.readableBytes == 0 ? nil : String(buffer: corps))
    }
}
