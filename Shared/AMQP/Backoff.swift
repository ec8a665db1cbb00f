/// Exponential backoff with full jitter, for reconnections and retries.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    private var attempt = 0

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next delay: random in [0, min(maximum, initial·2^attempt)].
    public mutating func next() -> Duration {
        let factor = 1 << min(attempt, 20)
        attempt += 1
        let ceiling = min(maximum, initial * factor)
        let ceilingMs = max(1, Int(ceiling.components.seconds * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000))
        return .milliseconds(Int.random(in: ceilingMs / 2...ceilingMs))
    }

    public mutating func reset() { attempt = 0 }

    public mutating func sleep() async throws {
        try await Task.sleep(for: next())
    }
}
