import Testing

@testable import Storage

/// `SQLScript.statements` cuts migration files at the semicolons that end statements only.
@Suite struct SQLScriptTests {
    @Test func plainStatementsAreCutAtTheirSemicolons() {
        let statements = SQLScript.statements("""
            CREATE TABLE a (id int);
            CREATE TABLE b (id int)  ;

            INSERT INTO a VALUES (1)
            """)
        #expect(statements == ["CREATE TABLE a (id int)", "CREATE TABLE b (id int)", "INSERT INTO a VALUES (1)"])
    }

    @Test func dollarQuotedBodiesKeepTheirSemicolons() {
        let function = """
            CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
                RETURN NULL;
            END;
            $$
            """
        let statements = SQLScript.statements(function + ";\nCREATE TABLE after_it (id int);")
        #expect(statements == [function, "CREATE TABLE after_it (id int)"])
    }

    @Test func taggedDollarQuotesCloseOnlyOnTheirOwnTag() {
        let function = """
            CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$
            BEGIN
                RETURN $$inner; text$$ || $x$ more; $x$;
            END;
            $body$
            """
        #expect(SQLScript.statements(function + "; SELECT 1;") == [function, "SELECT 1"])
    }

    @Test func positionalParametersAreNotDollarQuotes() {
        #expect(SQLScript.statements("SELECT $1; SELECT $2, $3;") == ["SELECT $1", "SELECT $2, $3"])
    }

    @Test func quotedTextAndIdentifiersKeepTheirSemicolons() {
        let statements = SQLScript.statements("""
            INSERT INTO t VALUES ('a;b', 'it''s; fine');
            SELECT "odd;name" FROM "t;t";
            """)
        #expect(statements == [
            "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
            #"SELECT "odd;name" FROM "t;t""#,
        ])
    }

    @Test func commentsDoNotEndStatements() {
        let statements = SQLScript.statements("""
            -- The first table; not a statement on its own.
            CREATE TABLE a (id int); /* a; b */ CREATE TABLE b (
                id int -- the key; commented
            );
            """)
        #expect(statements == [
            "-- The first table; not a statement on its own.\nCREATE TABLE a (id int)",
            "/* a; b */ CREATE TABLE b (\n    id int -- the key; commented\n)",
        ])
    }

    @Test func emptyAndCommentOnlyChunksAreDropped() {
        let statements = SQLScript.statements("""
            ;;
            CREATE TABLE a (id int);
               ;
            -- the end; nothing follows
            -- really nothing
            """)
        #expect(statements == ["CREATE TABLE a (id int)"])
    }

    @Test func scriptsWithoutStatementsGiveNone() {
        #expect(SQLScript.statements("").isEmpty)
        #expect(SQLScript.statements("  \n\t\n").isEmpty)
        #expect(SQLScript.statements("-- nothing yet; see 0002").isEmpty)
    }
}
