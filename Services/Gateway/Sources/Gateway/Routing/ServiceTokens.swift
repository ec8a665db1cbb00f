import ServiceKit

/// The gateway's internal-token authorities, one per service: each call is signed with the key
/// of the service it goes to and names that service as its audience (see
/// `InternalTokenAuthority`), so that no service's key is of any use against another.
struct ServiceTokens: Sendable {
    struct MissingKey: Error, CustomStringConvertible {
        var service: String
        var description: String { "no internal-token key for \(service) (CYCLADES_SERVICE_TOKEN_SECRETS)" }
    }

    private let authorities: [String: InternalTokenAuthority]

    /// `secrets`: service name → that service's `CYCLADES_INTERNAL_TOKEN_SECRET`.
    init(secrets: [String: String]) async {
        var authorities: [String: InternalTokenAuthority] = [:]
        for (service, secret) in secrets {
            authorities[service] = await InternalTokenAuthority(secret: secret, audience: service)
        }
        self.authorities = authorities
    }

    func sign(_ identity: InternalIdentity, for service: String) async throws -> String {
        guard let authority = authorities[service] else { throw MissingKey(service: service) }
        return try await authority.sign(identity)
    }
}
