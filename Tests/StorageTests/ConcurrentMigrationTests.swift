import Foundation
import Messaging
import PostgresNIO
import Reglementation
import Storage
import TestSupport
import Testing

/// Several instances of a service starting at once must apply each migration exactly once: the
/// real `cyclades-reglementation migrate`, three processes at the same time, on a fresh schema.
@Suite struct ConcurrentMigrationTests {
    @Test(.timeLimit(.minutes(2)))
    func threeProcessesMigratingAtOnceApplyEachFileOnce() async throws {
        let binary = TestStack.binDirectory.appendingPathComponent("cyclades-reglementation")
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "no \(binary.path): build the products first (`swift build --build-tests`, as deploy/local/test does)")
        let expected = try MessagingMigrations.all() + ReglementationService.migrations()
        #expect(expected.count >= 2)

        try await TestStack.withScratchSchema("storage_concurrent") { database in
            // The admin role (the service roles reach only their own schema) on the scratch schema.
            var environment = try TestStack.environment("admin")
            environment["CYCLADES_PG_SCHEMA"] = database.schema
            environment["CYCLADES_LOG_LEVEL"] = "warning"

            let processes = try (1...3).map { _ in try ChildProcess(binary, ["migrate"], environment: environment) }
            for process in processes {
                let status = try await process.waitForExit(timeout: .seconds(90))
                #expect(status == 0, "migrate exited \(String(describing: status)):\n\(process.output)\n\(process.errors)")
            }

            // Between them, the three applied every file once: one process did the work, the others
            // waited on the advisory lock and found the schema up to date.
            let appliedLines = processes.flatMap { process in
                process.output.split(separator: "\n").filter { $0.hasPrefix("applied ") }.map(String.init)
            }
            let expectedLines = expected.map { "applied \($0.source) \($0.version) \($0.name)" }
            #expect(appliedLines.sorted() == expectedLines.sorted())
            let counts = processes.map { process in
                process.output.split(separator: "\n").first { $0.hasSuffix("migration(s) applied") }.map(String.init)
            }
            #expect(counts.filter { $0 == "reglementation: 0 migration(s) applied" }.count == 2, "\(counts)")

            let rows = try await database.query(PostgresQuery(unsafeSQL: """
                SELECT source, version, count(*)::int8 FROM \(database.table("schema_migrations"))
                GROUP BY source, version ORDER BY source, version
                """))
            var ledger: [String: Int64] = [:]
            for try await (source, version, count) in rows.decode((String, Int, Int64).self) {
                ledger["\(source) \(version)"] = count
            }
            #expect(ledger == Dictionary(uniqueKeysWithValues: expected.map { ("\($0.source) \($0.version)", Int64(1)) }))

            for table in ["outbox", "inbox", "sessions"] {
                #expect(try await StorageFixtures.tableExists(table, in: database), "table \(table)")
            }
        }
    }
}
