import Hummingbird

/// The request context of every service: Hummingbird's core plus the caller's identity.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: InternalIdentity?
    /// The peer's IP address (for the audit and rate limits; the gateway is the first hop).
    public let remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The caller, or 401.
    public func caller() throws -> InternalIdentity {
        guard let identity else { throw ServiceError.unauthenticated }
        return identity
    }

    /// The caller when it has one of `roles`, or 403.
    @discardableResult
    public func require(_ roles: Role...) throws -> InternalIdentity {
        let identity = try caller()
        guard roles.contains(identity.role) else { throw ServiceError.forbidden() }
        return identity
    }
}

/// Checks the gateway's internal token on every request it guards (defence in depth: services
/// also enforce their own rules with `context.require(...)`).
public struct InternalTokenMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let authority: InternalTokenAuthority

    public init(authority: InternalTokenAuthority) { self.authority = authority }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let identity = await authority.verify(String(header.dropFirst("Bearer ".count)))
        else { throw ServiceError.unauthenticated }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "caller"] = "\(identity.role.rawValue):\(identity.subject)"
        return try await next(request, context)
    }
}
