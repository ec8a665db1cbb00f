import PostgresNIO
import Storage
import TestSupport
import Testing

/// One login role per service, reaching only its own schema (deploy/local/README.md).
@Suite struct SchemaIsolationTests {
    @Test func aServiceRoleCannotReadOrWriteAnotherServicesSchema() async throws {
        let probe = TestStack.uniqueName("isolation_probe")
        try await StorageFixtures.withServiceDatabase("reglementation") { reglementation in
            // The owner works freely in its own schema.
            try await reglementation.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(reglementation.table(probe)) (id int)"))
            do {
                try await reglementation.query(PostgresQuery(unsafeSQL: "INSERT INTO \(reglementation.table(probe)) VALUES (1)"))
                #expect(try await reglementation.count(probe) == 1)

                try await StorageFixtures.withServiceDatabase("inscription") { inscription in
                    let table = reglementation.table(probe)
                    for sql in [
                        "SELECT * FROM \(table)",
                        "INSERT INTO \(table) VALUES (2)",
                        "DELETE FROM \(table)",
                        "CREATE TABLE \"reglementation\".\"\(probe)_intruder\" (id int)",
                        "DROP TABLE \(table)",
                    ] {
                        let error = await #expect(throws: PSQLError.self, "\(sql)") {
                            try await inscription.query(PostgresQuery(unsafeSQL: sql))
                        }
                        #expect(error?.sqlState == "42501", "\(sql): insufficient_privilege expected")
                    }
                }
                #expect(try await reglementation.count(probe) == 1, "the row is untouched")
            } catch {
                _ = try? await reglementation.query(PostgresQuery(unsafeSQL: "DROP TABLE \(reglementation.table(probe))"))
                throw error
            }
            try await reglementation.query(PostgresQuery(unsafeSQL: "DROP TABLE \(reglementation.table(probe))"))
        }
    }

    @Test(arguments: ["reglementation", "inscription"])
    func theSchemaPublicIsNotWritable(_ role: String) async throws {
        try await StorageFixtures.withServiceDatabase(role) { database in
            let error = await #expect(throws: PSQLError.self) {
                try await database.query(PostgresQuery(unsafeSQL: "CREATE TABLE public.\(TestStack.uniqueName("intruder")) (id int)"))
            }
            #expect(error?.sqlState == "42501")
        }
    }

    @Test func unqualifiedNamesResolveToTheRolesOwnSchema() async throws {
        try await StorageFixtures.withServiceDatabase("inscription") { database in
            let rows = try await database.query("SELECT current_schema()::text")
            var schemas: [String] = []
            for try await schema in rows.decode(String.self) { schemas.append(schema) }
            #expect(schemas == ["inscription"])
        }
    }
}
