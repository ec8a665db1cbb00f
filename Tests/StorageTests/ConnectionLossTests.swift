import Logging
import PostgresNIO
import Storage
import TestSupport
import Testing

/// A backend killed under a query: the caller gets a transient error, the pool replaces the
/// connection, and no later query waits forever (PostgresNIO may hand out the dead connection
/// once more: `Deadline` bounds that wait). Several rounds, because the hang is a race.
@Suite struct ConnectionLossTests {
    @Test(.timeLimit(.minutes(10)))
    func aConnectionClosedByTheServerIsTransientAndReplaced() async throws {
        let logger = TestStack.logger("test.terminate")
        let database = Database(configuration: try TestStack.database(), logger: logger, queryTimeout: .seconds(10))
        try await TestStack.withRunningClient(database.client) {
            for round in 1...10 {
                do {
                    // The backend signals itself, then notices while it sleeps: FATAL 57P01.
                    let rows = try await database.query("SELECT pg_terminate_backend(pg_backend_pid()), pg_sleep(5)")
                    for try await _ in rows {}
                    Issue.record("round \(round): the server did not close the connection")
                } catch {
                    #expect(error.isTransientDatabaseFailure, "round \(round): \(String(reflecting: error))")
                }
                // A query right after: answered, or failed transiently — never a wait without end.
                do {
                    _ = try await database.query("SELECT 1")
                } catch {
                    #expect(error.isTransientDatabaseFailure, "round \(round): \(String(reflecting: error))")
                }
                let recovered = try await TestStack.eventually(timeout: .seconds(60)) { await database.ping() }
                #expect(recovered, "round \(round): the pool replaces the lost connection")
                // And a transaction on the replacement commits.
                let one = try await database.transaction { connection in
                    try await connection.query("SELECT 1", logger: logger).collect().count
                }
                #expect(one == 1)
            }
        }
    }
}
