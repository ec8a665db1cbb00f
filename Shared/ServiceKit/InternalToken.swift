import Foundation
import JWTKit

/// Who may call: the roles of the system (DOMAIN.md "Actors").
public enum Role: String, Codable, Sendable, CaseIterable {
    case gestionnaire
    case etablissement
    case correcteur
    case interrogateur
    case presidentJury = "president_jury"
    /// Chef de centre de délibération: his centre's juries (scoped by `uai:`).
    case chefCentre = "chef_centre"
    case candidat
    case admin
    /// Another service or a batch job acting for the system itself.
    case service
}

/// The identity the gateway vouches for on each forwarded request.
public struct InternalIdentity: Sendable, Hashable {
    public var subject: String
    public var role: Role
    /// What the caller is limited to: `uai:0750655E`, `lot:…`, `jury:…`, `candidat:…`.
    public var scopes: Set<String>

    public init(subject: String, role: Role, scopes: Set<String> = []) {
        self.subject = subject
        self.role = role
        self.scopes = scopes
    }

    public func hasScope(_ kind: String, _ value: String) -> Bool { scopes.contains("\(kind):\(value)") }
}

/// The internal token's claims (a JWT signed HS256 by the gateway for one service, valid a
/// short time).
struct InternalTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var role: String
    var scopes: [String]
    var iss: IssuerClaim
    /// The one service the token is for.
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim

    static let issuer = "cyclades-gateway"

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }
}

/// Signs (gateway) and verifies (the service) internal tokens for one service: each service has
/// its own key (`CYCLADES_INTERNAL_TOKEN_SECRET`, distinct per service) and accepts only tokens
/// whose audience is its own name, so one service's key cannot mint tokens for another, and a
/// token sent to one service cannot be replayed to another. The gateway holds every service's
/// key (`CYCLADES_SERVICE_TOKEN_SECRETS`).
public struct InternalTokenAuthority: Sendable {
    private let keys: JWTKeyCollection
    /// The service the tokens are for.
    public let audience: String
    public let lifetime: Duration

    public init(secret: String, audience: String, lifetime: Duration = .seconds(60)) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.audience = audience
        self.lifetime = lifetime
    }

    public func sign(_ identity: InternalIdentity, now: Date = Date()) async throws -> String {
        let claims = InternalTokenClaims(
            sub: .init(value: identity.subject), role: identity.role.rawValue,
            scopes: identity.scopes.sorted(), iss: .init(value: InternalTokenClaims.issuer),
            aud: .init(value: [audience]),
            exp: .init(value: now.addingTimeInterval(TimeInterval(lifetime.components.seconds))),
            iat: .init(value: now))
        return try await keys.sign(claims)
    }

    /// The identity, or nil when the token is forged, expired, malformed or for another service.
    public func verify(_ token: String) async -> InternalIdentity? {
        guard let claims = try? await keys.verify(token, as: InternalTokenClaims.self),
            (try? claims.aud.verifyIntendedAudience(includes: audience)) != nil,
            let role = Role(rawValue: claims.role)
        else { return nil }
        return InternalIdentity(subject: claims.sub.value, role: role, scopes: Set(claims.scopes))
    }
}
