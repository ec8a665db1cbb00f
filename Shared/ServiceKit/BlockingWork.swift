import NIOPosix

/// CPU-heavy synchronous work — reading a 20,000-line import, say — run off Swift's cooperative
/// pool, on NIO's pool of threads for blocking work. The cooperative pool has one thread per
/// core (two here): seconds of work on it stall every other task of the process meanwhile — the
/// message consumer, the outbox relay, the other requests.
public enum BlockingWork {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
