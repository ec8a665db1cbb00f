import Logging
import PostgresNIO
import Storage
import TestSupport
import Testing

/// `Error.isTransientDatabaseFailure` tells "retry later" (database unreachable, connection lost)
/// from "retrying will not help" (the SQL or the data is wrong).
@Suite struct TransientFailureTests {
    /// A closed port on the loopback interface: connections are refused at once.
    static var unreachable: DatabaseConfiguration {
        get throws {
            var configuration = try TestStack.database()
            configuration.port = 1
            return configuration
        }
    }

    @Test func aRefusedConnectionIsTransient() async throws {
        let configuration = try Self.unreachable
        let error = await #expect(throws: PSQLError.self) {
            try await PostgresConnection.connect(
                configuration: .init(
                    host: configuration.host, port: configuration.port, username: configuration.user,
                    password: configuration.password, database: configuration.database, tls: .disable),
                id: 1, logger: TestStack.logger("test.unreachable"))
        }
        #expect(error?.isTransientDatabaseFailure == true, "\(String(reflecting: error))")
    }

    /// What a service sees when its server is down: the pool keeps trying, then fails the waiting
    /// queries with its own `ConnectionPoolError` once its circuit breaker trips (after a minute,
    /// so this test takes about 67 s; it runs beside the others).
    @Test(.timeLimit(.minutes(3)))
    func aPoolThatCannotConnectFailsTransiently() async throws {
        let database = Database(configuration: try Self.unreachable, logger: TestStack.logger("test.unreachable"))
        try await TestStack.withRunningClient(database.client) {
            do {
                try await database.query("SELECT 1")
                Issue.record("a query reached a closed port")
            } catch {
                #expect(error.isTransientDatabaseFailure, "\(String(reflecting: error))")
            }
        }
    }

    @Test func aSyntaxErrorIsNotTransient() async throws {
        try await TestStack.withScratchSchema("storage_transient") { database in
            let error = await #expect(throws: PSQLError.self) { try await database.query("SELEC 1") }
            #expect(error?.sqlState == "42601")
            #expect(error?.isTransientDatabaseFailure == false)
        }
    }

    @Test func aUniqueViolationIsNotTransient() async throws {
        try await TestStack.withScratchSchema("storage_transient") { database in
            let table = database.table("codes")
            try await database.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (code text PRIMARY KEY)"))
            try await database.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ('A')"))
            let error = await #expect(throws: PSQLError.self) {
                try await database.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ('A')"))
            }
            #expect(error?.sqlState == "23505")
            #expect(error?.isTransientDatabaseFailure == false)
        }
    }

    @Test func errorsFromElsewhereAreNotTransient() {
        struct NotADatabaseError: Error {}
        #expect(!NotADatabaseError().isTransientDatabaseFailure)
        #expect(!CancellationError().isTransientDatabaseFailure)
    }
}
