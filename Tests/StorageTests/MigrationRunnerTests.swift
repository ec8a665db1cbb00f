import Foundation
import PostgresNIO
import Storage
import TestSupport
import Testing

/// `MigrationRunner` against a scratch schema of the test PostgreSQL.
@Suite struct MigrationRunnerTests {
    /// Three files, written out of order; each needs the one before it, and the last is a plpgsql
    /// trigger whose body holds semicolons (inside the code and inside a string).
    static let files = [
        "0010_label_trigger.sql": """
            -- Labels every new item; the body below holds semicolons.
            CREATE FUNCTION label_item() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.label := 'n°' || NEW.id || ';';
                RETURN NEW;
            END;
            $$;
            CREATE TRIGGER label_item BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION label_item();
            /* nothing after this; really */
            """,
        "0002_item_label.sql": "ALTER TABLE items ADD COLUMN label text NOT NULL DEFAULT '';\n",
        "0001_items.sql": "CREATE TABLE items (id int PRIMARY KEY);\n-- done\n",
    ]

    @Test func appliesTheFilesInOrderOnce() async throws {
        let migrations = try await StorageFixtures.migrations(Self.files)
        #expect(migrations.map(\.version) == [1, 2, 10])
        #expect(migrations.map(\.name) == ["items", "item_label", "label_trigger"])

        try await TestStack.withScratchSchema("storage_mig") { database in
            let runner = MigrationRunner(database: database)
            let applied = try await runner.apply(migrations)
            #expect(applied.map(\.version) == [1, 2, 10])
            #expect(try await StorageFixtures.ledger(of: database)
                == ["test 1 items", "test 2 item_label", "test 10 label_trigger"])

            // The trigger's body reached the server whole.
            try await database.query("INSERT INTO \(unescaped: database.table("items")) (id) VALUES (7)")
            let rows = try await database.query("SELECT label FROM \(unescaped: database.table("items"))")
            var labels: [String] = []
            for try await label in rows.decode(String.self) { labels.append(label) }
            #expect(labels == ["n°7;"])

            let again = try await runner.apply(migrations)
            #expect(again.isEmpty, "an up-to-date schema gets nothing")
            #expect(try await StorageFixtures.ledger(of: database).count == 3)
        }
    }

    @Test func onlyTheNewFilesApplyLater() async throws {
        let first = try await StorageFixtures.migrations(["0001_items.sql": Self.files["0001_items.sql"]!])
        let all = try await StorageFixtures.migrations(Self.files)
        try await TestStack.withScratchSchema("storage_mig") { database in
            let runner = MigrationRunner(database: database)
            let firstRun = try await runner.apply(first)
            let secondRun = try await runner.apply(all)
            #expect(firstRun.map(\.version) == [1])
            #expect(secondRun.map(\.version) == [2, 10])
        }
    }

    @Test func anAppliedMigrationThatWasEditedStopsTheRun() async throws {
        let original = try await StorageFixtures.migrations(["0001_items.sql": Self.files["0001_items.sql"]!])
        var edited = try await StorageFixtures.migrations([
            "0001_items.sql": "CREATE TABLE items (id bigint PRIMARY KEY);\n",
            "0002_item_label.sql": Self.files["0002_item_label.sql"]!,
        ])
        try await TestStack.withScratchSchema("storage_mig") { database in
            let runner = MigrationRunner(database: database)
            try await runner.apply(original)

            let error = await #expect(throws: MigrationError.self) { try await runner.apply(edited) }
            guard case .edited(let source, let version, let name) = error else {
                Issue.record("expected MigrationError.edited, got \(String(describing: error))")
                return
            }
            #expect(source == "test" && version == 1 && name == "items")
            #expect(error?.description.contains("write a new migration instead") == true)
            // Nothing after the edited file ran.
            #expect(try await StorageFixtures.ledger(of: database) == ["test 1 items"])

            // A change of white space is an edit too: the checksum covers the exact text.
            edited = original
            edited[0].sql += "\n"
            await #expect(throws: MigrationError.self) { try await runner.apply(edited) }
        }
    }

    @Test func aFailingMigrationIsRolledBackWholeAndStops() async throws {
        let broken = [
            "0001_good.sql": "CREATE TABLE good (id int PRIMARY KEY);\n",
            "0002_bad.sql": """
                CREATE TABLE partial (id int);
                INSERT INTO good VALUES (1);
                CREATE TABLE broken (id no_such_type);
                """,
            "0003_later.sql": "CREATE TABLE later (id int);\n",
        ]
        try await TestStack.withScratchSchema("storage_mig") { database in
            let runner = MigrationRunner(database: database)
            let error = await #expect(throws: MigrationError.self) {
                try await runner.apply(StorageFixtures.migrations(broken))
            }
            guard case .failed(let source, let version, let name, let underlying) = error else {
                Issue.record("expected MigrationError.failed, got \(String(describing: error))")
                return
            }
            #expect(source == "test" && version == 2 && name == "bad")
            #expect(underlying.contains("no_such_type"), "the server's reason is kept: \(underlying)")

            // 0001 stays applied; nothing of 0002 remains; 0003 never ran.
            #expect(try await StorageFixtures.ledger(of: database) == ["test 1 good"])
            #expect(try await StorageFixtures.tableExists("good", in: database))
            #expect(try await database.count("good") == 0, "the INSERT of the failed file was rolled back")
            #expect(try await !StorageFixtures.tableExists("partial", in: database))
            #expect(try await !StorageFixtures.tableExists("later", in: database))

            // Once the file is fixed, the run resumes where it stopped.
            var fixed = broken
            fixed["0002_bad.sql"] = "CREATE TABLE partial (id int);\n"
            let applied = try await runner.apply(StorageFixtures.migrations(fixed))
            #expect(applied.map(\.version) == [2, 3])
            #expect(try await StorageFixtures.ledger(of: database) == ["test 1 good", "test 2 bad", "test 3 later"])
        }
    }

    @Test func sourcesAreLedgeredApart() async throws {
        let kit = try await StorageFixtures.migrations(source: "messaging", ["0001_kit.sql": "CREATE TABLE kit (id int);"])
        let own = try await StorageFixtures.migrations(source: "service", ["0001_own.sql": "CREATE TABLE own (id int);"])
        try await TestStack.withScratchSchema("storage_mig") { database in
            let applied = try await MigrationRunner(database: database).apply(kit + own)
            #expect(applied.count == 2, "the same version number in two sources is two migrations")
            #expect(try await StorageFixtures.ledger(of: database) == ["messaging 1 kit", "service 1 own"])
        }
    }
}

/// `Migration.load`: the files of a folder, in order, named `NNNN_name.sql`.
@Suite struct MigrationLoadTests {
    @Test(arguments: ["1_short.sql", "00001_five_digits.sql", "abcd_letters.sql", "0001.sql", "0001-dash.sql",
                      "0001_.sql", "+001_sign.sql", "-001_sign.sql"])
    func badlyNamedFilesAreRefused(_ file: String) async throws {
        try await StorageFixtures.withTemporaryDirectory { directory in
            try StorageFixtures.write(["0001_fine.sql": "SELECT 1;", file: "SELECT 2;"], into: directory)
            let error = #expect(throws: MigrationError.self) { try Migration.load(source: "test", directory: directory) }
            guard case .badFileName(let name) = error else {
                Issue.record("expected badFileName, got \(String(describing: error))")
                return
            }
            #expect(name == file)
        }
    }

    @Test func duplicateVersionsAreRefused() async throws {
        try await StorageFixtures.withTemporaryDirectory { directory in
            try StorageFixtures.write(
                ["0001_a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;", "0002_c.sql": "SELECT 3;"], into: directory)
            let error = #expect(throws: MigrationError.self) { try Migration.load(source: "test", directory: directory) }
            guard case .duplicateVersion(let source, let version) = error else {
                Issue.record("expected duplicateVersion, got \(String(describing: error))")
                return
            }
            #expect(source == "test" && version == 2)
        }
    }

    @Test func otherFilesAreIgnoredAndNamesKeepTheirUnderscores() async throws {
        try await StorageFixtures.withTemporaryDirectory { directory in
            try StorageFixtures.write(
                ["README.md": "# notes", "0003_add_the_index.sql": "SELECT 3;", "0001_init.sql": "SELECT 1;"],
                into: directory)
            let migrations = try Migration.load(source: "test", directory: directory)
            #expect(migrations.map(\.version) == [1, 3])
            #expect(migrations.map(\.name) == ["init", "add_the_index"])
            #expect(migrations[1].sql == "SELECT 3;")
            #expect(migrations.allSatisfy { $0.source == "test" && $0.checksum.count == 64 })
        }
    }
}
