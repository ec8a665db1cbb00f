import Foundation
import ServiceKit
import Storage

/// The gateway's own settings, beside the common ones.
public struct GatewayConfiguration: Sendable {
    /// Where each service answers (`CYCLADES_SERVICE_URLS=name=url,name=url`).
    public var serviceURLs: [String: String]
    /// Each service's internal-token key (`CYCLADES_SERVICE_TOKEN_SECRETS=name=secret,…`, each
    /// ≥ 32 bytes): the gateway signs a call with the key of the service it calls.
    public var serviceTokenSecrets: [String: String]
    /// HMAC key of the users' session tokens (`CYCLADES_SESSION_TOKEN_SECRET`, ≥ 32 bytes),
    /// distinct from the internal token's.
    public var sessionTokenSecret: String
    public var sessionLifetime: Duration
    /// bcrypt cost (`CYCLADES_BCRYPT_COST`, 4…31, default 12).
    public var bcryptCost: UInt8
    /// Time allowed to a service call, forwarded or aggregated (`CYCLADES_SERVICE_TIMEOUT_MS`).
    public var serviceTimeout: Duration
    /// Per-service exceptions to `serviceTimeout` (`CYCLADES_SERVICE_TIMEOUTS_MS=name=ms,…`), e.g.
    /// a longer one for a service that renders large PDFs.
    public var serviceTimeouts: [String: Duration]
    /// The public base URL put in mailed links.
    public var publicURL: String
    /// Where the mails are written whole for the mailer (`CYCLADES_MAIL_DIR`; by default
    /// `$CYCLADES_STACK_DIR/courriels`, else `cyclades-courriels` in the temporary directory):
    /// only the operator may read it, it holds live links.
    public var mailDirectory: String
    /// Result lookups allowed per address and minute on the public results site
    /// (`CYCLADES_PUBLIC_LOOKUPS_PER_MINUTE`, 1…10,000,000, default 30).
    public var publicLookupsPerMinute: Int

    public init(environment: [String: String]) throws {
        serviceURLs = [:]
        for pair in (environment["CYCLADES_SERVICE_URLS"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ConfigurationError.invalid("CYCLADES_SERVICE_URLS", String(pair)) }
            serviceURLs[String(parts[0])] = String(parts[1])
        }
        serviceTokenSecrets = [:]
        for pair in (environment["CYCLADES_SERVICE_TOKEN_SECRETS"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[1].utf8.count >= 32 else {
                throw ConfigurationError.invalid("CYCLADES_SERVICE_TOKEN_SECRETS", "\(parts.first ?? "")=… (expected name=secret of at least 32 bytes)")
            }
            serviceTokenSecrets[String(parts[0])] = String(parts[1])
        }
        guard let secret = environment["CYCLADES_SESSION_TOKEN_SECRET"], secret.utf8.count >= 32 else {
            throw ConfigurationError.invalid("CYCLADES_SESSION_TOKEN_SECRET", "(absent or shorter than 32 bytes)")
        }
        sessionTokenSecret = secret
        sessionLifetime = .seconds(Int(environment["CYCLADES_SESSION_LIFETIME_SECONDS"] ?? "") ?? 8 * 3600)
        guard let cost = UInt8(environment["CYCLADES_BCRYPT_COST"] ?? "12"), (4...31).contains(cost) else {
            throw ConfigurationError.invalid("CYCLADES_BCRYPT_COST", environment["CYCLADES_BCRYPT_COST"] ?? "")
        }
        bcryptCost = cost
        serviceTimeout = .milliseconds(
            try Self.milliseconds(environment["CYCLADES_SERVICE_TIMEOUT_MS"] ?? "3000", "CYCLADES_SERVICE_TIMEOUT_MS"))
        serviceTimeouts = [:]
        for pair in (environment["CYCLADES_SERVICE_TIMEOUTS_MS"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ConfigurationError.invalid("CYCLADES_SERVICE_TIMEOUTS_MS", String(pair)) }
            serviceTimeouts[String(parts[0])] = .milliseconds(
                try Self.milliseconds(String(parts[1]), "CYCLADES_SERVICE_TIMEOUTS_MS"))
        }
        publicURL = environment["CYCLADES_PUBLIC_URL"]
            ?? "http://\(environment["CYCLADES_HTTP_HOST"] ?? "127.0.0.1"):\(environment["CYCLADES_HTTP_PORT"] ?? "8100")"
        mailDirectory = environment["CYCLADES_MAIL_DIR"]
            ?? environment["CYCLADES_STACK_DIR"].map { "\($0)/courriels" }
            ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("cyclades-courriels")
        let lookups = environment["CYCLADES_PUBLIC_LOOKUPS_PER_MINUTE"] ?? "30"
        guard let perMinute = Int(lookups), (1...10_000_000).contains(perMinute) else {
            throw ConfigurationError.invalid("CYCLADES_PUBLIC_LOOKUPS_PER_MINUTE", lookups)
        }
        publicLookupsPerMinute = perMinute
    }

    /// A deadline in milliseconds, from 1 ms to 10 minutes.
    private static func milliseconds(_ text: String, _ variable: String) throws -> Int {
        guard let value = Int(text), (1...600_000).contains(value) else {
            throw ConfigurationError.invalid(variable, text)
        }
        return value
    }
}
