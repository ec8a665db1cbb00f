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

    /// A stand-in for Évaluation: `/v1/appelant` echoes the caller and the request,
    /// `/v1/lots/:lot/copies` answers only a correcteur of that lot (or a gestionnaire).
    static func evaluation<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        guard let secret = try TestStack.environment("evaluation")["CYCLADES_INTERNAL_TOKEN_SECRET"] else {
            throw TestStackError("no internal token secret")
        }
        let router = Router(context: ServiceRequestContext.self)
        let v1 = router.group("v1").add(middleware: InternalTokenMiddleware(authority: await InternalTokenAuthority(secret: secret, audience: "evaluation")))
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            v1.on("appelant", method: method) { request, context -> Echo in
                let caller = try context.caller()
                let corps = try await request.body.collect(upTo: 1 << 20)
                return Echo(
                    sujet: caller.subject, role: caller.role.rawValue, habilitations: caller.scopes.sorted(),
                    methode: request.method.rawValue, chemin: request.uri.path, requete: request.uri.query,
                    corps: corps.readableBytes == 0 ? nil : String(buffer: corps))
            }
        }
        v1.get("lots/:lot/copies") { _, context -> [String: String] in
            let caller = try context.require(.correcteur, .gestionnaire)
            let lot = try context.parameters.require("lot")
            guard caller.role == .gestionnaire || caller.hasScope("lot", lot) else {
                throw ServiceError.forbidden("Accès refusé : ce lot n'est pas le vôtre.")
            }
            return ["lot": lot, "copies": "0"]
        }
        return try await Application(router: router).test(.live) { client in
            try await body("http://localhost:\(client.port!)")
        }
    }
}
