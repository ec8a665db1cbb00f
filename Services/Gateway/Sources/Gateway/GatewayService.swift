import AsyncHTTPClient
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The public door: identity and habilitations (schema `gateway`), the JSON API forwarded to the
/// services with an internal token, aggregated views, and the French web pages.
public enum GatewayService: CycladesService {
    public static let name = "gateway"

    public static func migrations() throws -> [Migration] {
        try Migration.load(source: name, directory: resource("Migrations"))
    }

    /// The public door builds its whole router (no internal-token group: it authenticates
    /// users itself). It consumes one event, to mail the notice of each document published
    /// (`NotificationsDocuments`); its one long-running part keeps the public results site's
    /// precomputed pages current.
    public static func build(_ runtime: ServiceRuntime) async throws -> ServiceParts {
        let components = try await GatewayComponents(runtime: runtime)
        return ServiceParts(
            router: try components.router(), queues: [.events(of: name, try handlers(runtime: runtime))],
            services: [components.rafraichissement])
    }

    /// The events it handles: a document published in someone's space, mailed.
    public static func handlers(runtime: ServiceRuntime) throws -> MessageHandlers {
        let configuration = try GatewayConfiguration(environment: runtime.configuration.environment)
        return NotificationsDocuments(
            database: runtime.database, mails: MailOutbox(database: runtime.database, directory: configuration.mailDirectory),
            publicURL: configuration.publicURL
        ).handlers()
    }

    public static func makeRouter(runtime: ServiceRuntime) async throws -> Router<ServiceRequestContext> {
        try await GatewayComponents(runtime: runtime).router()
    }

    static func resource(_ folder: String) -> URL {
        guard let url = Bundle.module.url(forResource: folder, withExtension: nil) else {
            fatalError("the Gateway resource bundle has no \(folder) folder")
        }
        return url
    }
}

/// Everything the gateway's routes share, built once from the runtime.
struct GatewayComponents: Sendable {
    let runtime: ServiceRuntime
    let configuration: GatewayConfiguration
    let identity: IdentityService
    let directory: ServiceDirectory
    let resultatsPublics: ResultatsPublics
    let limiteConsultations: LimiteParAdresse

    init(
        runtime: ServiceRuntime, httpClient: HTTPClient = ServiceDirectory.httpClient, limiter: RateLimiter = RateLimiter(),
        horlogeConsultations: (@Sendable () -> Int64)? = nil
    ) async throws {
        let configuration = try GatewayConfiguration(environment: runtime.configuration.environment)
        let database = runtime.database
        self.runtime = runtime
        self.configuration = configuration
        identity = IdentityService(
            database: database,
            accounts: AccountRepository(database: database),
            sessions: await SessionTokens(
                secret: configuration.sessionTokenSecret, database: database, lifetime: configuration.sessionLifetime),
            tokens: OneTimeTokens(database: database),
            audit: AccessAudit(database: database),
            mails: MailOutbox(database: database, directory: configuration.mailDirectory),
            hasher: PasswordHasher(cost: configuration.bcryptCost),
            limiter: limiter,
            publicURL: configuration.publicURL,
            logger: runtime.logger)
        directory = ServiceDirectory(
            urls: configuration.serviceURLs, client: httpClient, tokens: await ServiceTokens(secrets: configuration.serviceTokenSecrets),
            timeout: configuration.serviceTimeout, timeouts: configuration.serviceTimeouts, logger: runtime.logger)
        resultatsPublics = ResultatsPublics(rendu: RenduResultats(library: try WebRenderer.loadLibrary()))
        limiteConsultations = horlogeConsultations.map { LimiteParAdresse(parMinute: configuration.publicLookupsPerMinute, horloge: $0) }
            ?? LimiteParAdresse(parMinute: configuration.publicLookupsPerMinute)
    }

    /// Reads Publication's released results into the public site's pages, every second.
    var rafraichissement: RafraichissementResultats {
        RafraichissementResultats(directory: directory, resultats: resultatsPublics, logger: runtime.logger)
    }

    func router() throws -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        runtime.addHealthRoutes(to: router, publicFacing: true)
        // Results day's hot path: before every middleware (no session lookup, no CSRF).
        ResultatsPublicsRoutes(resultats: resultatsPublics, limite: limiteConsultations, directory: directory).add(to: router)
        router.add(middleware: FileMiddleware(
            GatewayService.resource("Public").path, urlBasePath: "/static",
            cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(24 * 3600)])]),
            searchForIndexHtml: false))
        router.add(middleware: UserSessionMiddleware(sessions: identity.sessions))
        router.add(middleware: AuditRefusalsMiddleware(audit: identity.audit))

        let openAPI = try Data(contentsOf: GatewayService.resource("OpenAPI").appendingPathComponent("openapi.yaml"))
        router.get("api/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
        let api = router.group("api/v1").add(middleware: CookieJSONMiddleware())
        AuthRoutes(identity: identity, secureCookies: configuration.publicURL.hasPrefix("https")).add(to: api)
        AccountRoutes(identity: identity, papillonCandidats: PapillonCandidats(directory: directory)).add(to: api)
        AggregateRoutes(directory: directory).add(to: api)
        ForwardRoutes(directory: directory).add(to: api)
        try WebRoutes(components: self).add(to: router)
        return router
    }
}

/// Records every refused request (401/403) in the access audit.
struct AuditRefusalsMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let audit: AccessAudit

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServiceError where error.status == .forbidden || error.status == .unauthorized {
            try? await audit.record(
                "refus", outcome: .refus, actor: context.identity?.subject, role: context.identity?.role.rawValue,
                address: context.remoteAddress,
                target: "\(request.method.rawValue) \(request.uri.path)", detail: error.code)
            throw error
        }
    }
}
