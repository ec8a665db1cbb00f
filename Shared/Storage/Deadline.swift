import Synchronization

/// The database did not answer an operation within its deadline. Transient: a retry takes
/// another connection.
public struct DatabaseTimeout: Error, CustomStringConvertible {
    public var operation: String
    public var timeout: Duration
    public var description: String { "\(operation): no answer from PostgreSQL within \(timeout)" }
}

/// Bounds a wait on the database that could otherwise last forever.
///
/// Why: PostgresNIO 1.33 hands out a pooled connection whose channel the server has just closed
/// (seen after a backend is terminated under a query: `Tests/StorageTests/ConnectionLossTests`);
/// the next query is written to the closed channel with no promise and its caller waits forever,
/// holding whatever it serves (an HTTP request, a consumer's batch, a relay). The operation runs
/// in a task of its own: when the deadline passes first, the caller gets `DatabaseTimeout` and the
/// abandoned task is cancelled (a stuck write never reached the server, so it has no effect to
/// undo). Only for operations that cannot have an effect after the caller was told they failed:
/// a single statement, or the `BEGIN` of a transaction — never a transaction's body.
enum Deadline {
    static func run<T: Sendable>(
        _ timeout: Duration, _ operation: String, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation)
                let worker = Task {
                    do { race.finish(.success(try await work())) } catch { race.finish(.failure(error)) }
                }
                let timer = Task {
                    try await Task.sleep(for: timeout)
                    if race.finish(.failure(DatabaseTimeout(operation: operation, timeout: timeout))) { worker.cancel() }
                }
                race.onFinish { worker.cancel(); timer.cancel() }
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// Whichever of the work, the timer and the caller's cancellation comes first resumes the
    /// caller; the others find the race over.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var early: Result<T, any Error>?
            var over = false
            var cleanup: (@Sendable () -> Void)?
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            let early: Result<T, any Error>? = state.withLock { state in
                guard let early = state.early else {
                    state.continuation = continuation
                    return nil
                }
                return early
            }
            if let early { continuation.resume(with: early) }
        }

        /// Runs `cleanup` once the race is over (at once if it already is).
        func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
            let now = state.withLock { state in
                if state.over { return true }
                state.cleanup = cleanup
                return false
            }
            if now { cleanup() }
        }

        /// True when this result won the race.
        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let won: (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?)? = state.withLock { state in
                guard !state.over else { return nil }
                state.over = true
                let continuation = state.continuation
                state.continuation = nil
                if continuation == nil { state.early = result }
                let cleanup = state.cleanup
                state.cleanup = nil
                return (continuation, cleanup)
            }
            guard let won else { return false }
            won.0?.resume(with: result)
            won.1?()
            return true
        }
    }
}
