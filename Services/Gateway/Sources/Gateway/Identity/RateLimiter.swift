import Foundation
import Synchronization

/// Sliding-window rate limits kept in memory, per key (`adresse:1.2.3.4`, `compte:login`).
/// One gateway instance keeps its own counts: with several instances each allows the limit,
/// which still bounds an attacker to a small multiple of it.
final class RateLimiter: Sendable {
    struct Rule: Sendable {
        var limit: Int
        var window: Duration
    }

    private let hits = Mutex<[String: [ContinuousClock.Instant]]>([:])
    private let clock: @Sendable () -> ContinuousClock.Instant

    /// `clock` tells the time of a hit; tests stop it, so that a window does not slide under a
    /// slow run.
    init(clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.clock = clock
    }

    /// Counts a hit for `key` and says whether it is within the rule.
    func allow(_ key: String, _ rule: Rule) -> Bool {
        let now = clock()
        return hits.withLock { hits in
            var recent = (hits[key] ?? []).filter { now - $0 < rule.window }
            let allowed = recent.count < rule.limit
            if allowed { recent.append(now) }
            hits[key] = recent
            if hits.count > 100_000 { hits = hits.filter { $0.value.last.map { now - $0 < rule.window } ?? false } }
            return allowed
        }
    }
}
