import PostgresNIO
import Storage
import TestSupport
import Testing

/// `Database.transaction`: committed when the body returns, rolled back when it throws.
@Suite struct TransactionTests {
    struct Refused: Error, Equatable { var reason: String }

    /// A scratch schema with one table `entries (id int PRIMARY KEY)`, through a pool of one
    /// connection, so that every transaction reuses the connection the previous one left.
    func withEntries(_ body: (Database) async throws -> Void) async throws {
        try await TestStack.withScratchSchema("storage_tx") { scratch in
            try await scratch.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(scratch.table("entries")) (id int PRIMARY KEY)"))
            var configuration = try TestStack.database(schema: scratch.schema)
            configuration.maximumConnections = 1
            let database = Database(configuration: configuration, logger: TestStack.logger("test.tx"))
            try await TestStack.withRunningClient(database.client) { try await body(database) }
        }
    }

    func insert(_ id: Int, on connection: PostgresConnection, in database: Database) async throws {
        try await connection.query("INSERT INTO \(unescaped: database.table("entries")) (id) VALUES (\(id))", logger: database.logger)
    }

    @Test func committedWhenTheBodyReturns() async throws {
        try await withEntries { database in
            let result = try await database.transaction { connection in
                try await insert(1, on: connection, in: database)
                try await insert(2, on: connection, in: database)
                return "done"
            }
            #expect(result == "done")
            #expect(try await database.count("entries") == 2)
        }
    }

    @Test func rolledBackWhenTheBodyThrowsAndItsErrorComesOutAsIs() async throws {
        try await withEntries { database in
            await #expect(throws: Refused(reason: "not today")) {
                try await database.transaction { connection in
                    try await insert(1, on: connection, in: database)
                    throw Refused(reason: "not today")
                }
            }
            #expect(try await database.count("entries") == 0, "the insert was rolled back")

            // The connection is clean again: the next transaction commits.
            try await database.transaction { connection in try await insert(2, on: connection, in: database) }
            #expect(try await database.count("entries") == 1)
        }
    }

    @Test func aFailedStatementRollsBackTheWholeTransaction() async throws {
        try await withEntries { database in
            try await database.transaction { connection in try await insert(1, on: connection, in: database) }
            let error = await #expect(throws: PSQLError.self) {
                try await database.transaction { connection in
                    try await insert(2, on: connection, in: database)
                    try await insert(1, on: connection, in: database)  // duplicate key
                }
            }
            #expect(error?.sqlState == "23505")
            let rows = try await database.query("SELECT id FROM \(unescaped: database.table("entries")) ORDER BY id")
            var ids: [Int] = []
            for try await id in rows.decode(Int.self) { ids.append(id) }
            #expect(ids == [1], "row 2 went with the failed transaction")
        }
    }
}
