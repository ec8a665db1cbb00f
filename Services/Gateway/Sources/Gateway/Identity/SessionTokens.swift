import Foundation
import JWTKit
import PostgresNIO
import ServiceKit
import Storage

/// Users' sessions: a signed token (JWT, HS256) naming the account and a session id (`jti`);
/// the session row lets logout, disabling and password changes revoke it before it expires.
struct SessionTokens: Sendable {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var jti: IDClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var iss: IssuerClaim

        static let issuer = "cyclades-gateway-session"

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            guard iss.value == Self.issuer else {
                throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer")
            }
        }
    }

    let keys: JWTKeyCollection
    let database: Database
    let lifetime: Duration

    init(secret: String, database: Database, lifetime: Duration) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.database = database
        self.lifetime = lifetime
    }

    private var table: String { database.table("user_sessions") }

    /// Opens a session for `account`; returns the token and its expiry.
    func open(_ account: Account, address: String?, userAgent: String?) async throws -> (token: String, expires: Date) {
        let jti = UUID()
        let now = Date()
        let expires = now.addingTimeInterval(TimeInterval(lifetime.components.seconds))
        try await database.query(PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (jti, account_id, expires_at, address, user_agent) VALUES ($1, $2, $3, $4, $5)",
            binds: SQL.binds(jti, account.id, expires, address, userAgent.map { String($0.prefix(300)) })))
        let claims = Claims(
            sub: .init(value: account.id.uuidString.lowercased()), jti: .init(value: jti.uuidString.lowercased()),
            exp: .init(value: expires), iat: .init(value: now), iss: .init(value: Claims.issuer))
        return (try await keys.sign(claims), expires)
    }

    /// The account behind a token, when the token is authentic, unexpired, its session not revoked
    /// and the account active.
    func verify(_ token: String) async -> (account: Account, session: UUID)? {
        guard let claims = try? await keys.verify(token, as: Claims.self),
              let jti = UUID(uuidString: claims.jti.value)
        else { return nil }
        let accounts = database.table("accounts")
        guard let rows = try? await database.query(PostgresQuery(
            unsafeSQL: """
                SELECT \(AccountRepository.columns(of: "a"))
                FROM \(table) s JOIN \(accounts) a ON a.id = s.account_id
                WHERE s.jti = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND a.state = 'actif'
                """,
            binds: SQL.binds(jti))),
            let account = try? await AccountRepository.decode(rows).first
        else { return nil }
        return (account, jti)
    }

    func revoke(session: UUID) async throws {
        try await database.query(PostgresQuery(
            unsafeSQL: "UPDATE \(table) SET revoked_at = now() WHERE jti = $1 AND revoked_at IS NULL",
            binds: SQL.binds(session)))
    }

    /// Revokes every session of an account (disabled, password changed).
    func revokeAll(account: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(
            unsafeSQL: "UPDATE \(table) SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL",
            binds: SQL.binds(account)),
            logger: database.logger)
    }
}
