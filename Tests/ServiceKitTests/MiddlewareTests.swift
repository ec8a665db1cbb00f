import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

/// The internal-token middleware, `context.require` and `ServiceError` rendering, through
/// Hummingbird's in-process test client.
@Suite struct MiddlewareTests {
    /// `/v1/...` behind the token check, like `ServiceRuntime.router`, plus one open route.
    static func application(authority: InternalTokenAuthority) -> some ApplicationProtocol {
        let router = Router(context: ServiceRequestContext.self)
        router.get("ouvert") { _, _ in "ok" }
        let v1 = router.group("v1").add(middleware: InternalTokenMiddleware(authority: authority))
        v1.get("dossiers") { _, context -> String in
            let caller = try context.require(.gestionnaire, .admin)
            return "\(caller.role.rawValue):\(caller.subject)"
        }
        v1.get("qui") { _, context -> String in
            try context.caller().scopes.sorted().joined(separator: ",")
        }
        v1.post("notes") { _, context -> String in
            try context.require(.correcteur)
            throw ServiceError.invalid(
                "note.bornes", "La note doit être comprise entre 0 et 20.",
                details: [.init(location: "lignes[3].note", code: "note.bornes", message: "21 n'est pas entre 0 et 20.")])
        }
        v1.post("sessions") { request, context -> String in
            try context.require(.gestionnaire)
            let code = try ServiceError.validating(field: "code") { () throws(DomainError) in
                try SessionCode(request.uri.queryParameters.get("code") ?? "")
            }
            return code.value
        }
        return Application(router: router)
    }

    func withClient(_ test: @Sendable (any TestClientProtocol, InternalTokenAuthority) async throws -> Void) async throws {
        let authority = await InternalTokenAuthority(secret: Fixtures.secret, audience: "inscription")
        try await Self.application(authority: authority).test(.router) { client in try await test(client, authority) }
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func errorBody(_ response: TestResponse) throws -> Fixtures.ErrorBody {
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        return try Fixtures.errorBody(Data(buffer: response.body))
    }

    @Test func routesOutsideTheGroupNeedNoToken() async throws {
        try await withClient { client, _ in
            let response = try await client.execute(uri: "/ouvert", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ok")
        }
    }

    @Test(arguments: [nil, "Bearer ", "Bearer not.a.token", "Basic Z2VzdDpndWVzdA=="])
    func noValidTokenIs401(_ authorization: String?) async throws {
        try await withClient { client, _ in
            let headers: HTTPFields = authorization.map { [.authorization: $0] } ?? [:]
            let response = try await client.execute(uri: "/v1/dossiers", method: .get, headers: headers)
            #expect(response.status == .unauthorized)
            #expect(try Self.errorBody(response) == .init(code: "auth.requise", message: "Authentification requise."))
        }
    }

    @Test func aTokenOfAnotherSecretIs401() async throws {
        try await withClient { client, _ in
            let forger = await InternalTokenAuthority(secret: String(Fixtures.secret.reversed()), audience: "inscription")
            let token = try await forger.sign(Fixtures.gestionnaire)
            let response = try await client.execute(uri: "/v1/dossiers", method: .get, headers: Self.bearer(token))
            #expect(response.status == .unauthorized)
            #expect(try Self.errorBody(response).code == "auth.requise")
        }
    }

    @Test func theWrongRoleIs403() async throws {
        try await withClient { client, authority in
            let token = try await authority.sign(InternalIdentity(subject: "cand-1", role: .candidat))
            let response = try await client.execute(uri: "/v1/dossiers", method: .get, headers: Self.bearer(token))
            #expect(response.status == .forbidden)
            let body = try Self.errorBody(response)
            #expect(body.code == "auth.refuse")
            #expect(body.message == "Accès refusé : vos habilitations ne permettent pas cette action.")
            #expect(body.details == nil)
        }
    }

    @Test func theRightRoleGetsThrough() async throws {
        try await withClient { client, authority in
            for identity in [Fixtures.gestionnaire, InternalIdentity(subject: "root", role: .admin)] {
                let token = try await authority.sign(identity)
                let response = try await client.execute(uri: "/v1/dossiers", method: .get, headers: Self.bearer(token))
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "\(identity.role.rawValue):\(identity.subject)")
            }
            // The route sees the scopes the gateway vouched for.
            let token = try await authority.sign(InternalIdentity(subject: "e", role: .etablissement, scopes: ["uai:0750655E", "uai:0930001A"]))
            let response = try await client.execute(uri: "/v1/qui", method: .get, headers: Self.bearer(token))
            #expect(String(buffer: response.body) == "uai:0750655E,uai:0930001A")
        }
    }

    @Test func aServiceErrorRendersItsStatusCodeAndDetails() async throws {
        try await withClient { client, authority in
            let token = try await authority.sign(InternalIdentity(subject: "corr-1", role: .correcteur))
            let response = try await client.execute(uri: "/v1/notes", method: .post, headers: Self.bearer(token))
            #expect(response.status == .unprocessableContent)
            #expect(try Self.errorBody(response) == .init(
                code: "note.bornes", message: "La note doit être comprise entre 0 et 20.",
                details: [.init(location: "lignes[3].note", code: "note.bornes", message: "21 n'est pas entre 0 et 20.")]))
        }
    }

    @Test func aRefusedDomainValueIs422NamingTheField() async throws {
        try await withClient { client, authority in
            let token = try await authority.sign(Fixtures.gestionnaire)
            let good = try await client.execute(uri: "/v1/sessions?code=bp-2031-06-n", method: .post, headers: Self.bearer(token))
            #expect(good.status == .ok)
            #expect(String(buffer: good.body) == "BP-2031-06-N")

            let bad = try await client.execute(uri: "/v1/sessions?code=BP-2031-13-N", method: .post, headers: Self.bearer(token))
            #expect(bad.status == .unprocessableContent)
            let body = try Self.errorBody(bad)
            #expect(body.code == "session.mois")
            #expect(body.message.contains("le mois 13 doit être compris entre 01 et 12"))
            #expect(body.details?.map(\.location) == ["code"])
            #expect(body.details?.first?.code == "session.mois")
        }
    }
}
