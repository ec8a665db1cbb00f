import Foundation
import PostgresNIO
import Storage

/// Session codes no other test of the stack has: drawn at random and reserved atomically in a
/// table of the test stack's database (schema `tests`).
///
/// Each bench used to draw a code and check that its own service did not know it yet; two
/// suites running at once could draw the same code between the check and the creation, and then
/// shared a session (a « doublon » refusal, a session already opened, a count off by the other's
/// rows) — a failure that showed only when every suite ran at once.
public enum SessionsDeTest {
    /// A code `BP-YYYY-MM-K` with K among `natures` and YYYY in `annees`, never handed out before
    /// on this stack.
    public static func reserver(
        natures: [SessionNature] = [.normale], annees: ClosedRange<Int> = 2030...2099
    ) async throws -> String {
        let database = Database(configuration: try TestStack.database("admin", schema: "tests"), logger: TestStack.logger("test.sessions"))
        return try await TestStack.withRunningClient(database.client) {
            try await database.transaction { connection in
                // One creator at a time: concurrent CREATE ... IF NOT EXISTS can still collide.
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext('cyclades.tests.sessions'))", logger: database.logger)
                try await connection.query("CREATE SCHEMA IF NOT EXISTS tests", logger: database.logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS tests.sessions_reservees (code text PRIMARY KEY, le timestamptz NOT NULL DEFAULT now())",
                    logger: database.logger)
            }
            for _ in 0..<10_000 {
                let nature = natures.randomElement() ?? .normale
                let code = "BP-\(Int.random(in: annees))-\(String(format: "%02d", Int.random(in: 1...12)))-\(nature.rawValue)"
                let rows = try await database.query(SQL.query(
                    "INSERT INTO tests.sessions_reservees (code) VALUES ($1) ON CONFLICT DO NOTHING RETURNING code", code))
                for try await reserve in rows.decode(String.self) { return reserve }
            }
            throw TestStackError("every session code of \(annees) is taken on this stack: reset it (deploy/local/test does)")
        }
    }

    /// The letter of a session code's nature.
    public enum SessionNature: String, Sendable {
        case normale = "N", remplacement = "R", vae = "V"
    }
}
