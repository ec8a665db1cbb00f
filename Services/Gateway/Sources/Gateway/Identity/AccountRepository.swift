import Foundation
import PostgresNIO
import ServiceKit
import Storage

/// SQL of accounts and their sessions, tokens, mails and audit (schema `gateway`).
struct AccountRepository: Sendable {
    let database: Database

    private var accounts: String { database.table("accounts") }
    static let columns = columns(of: nil)

    /// The columns `decode` reads, optionally qualified by a table alias.
    static func columns(of alias: String?) -> String {
        let names = ["id", "login", "display_name", "email", "role", "scopes", "state", "created_at"]
        guard let alias else { return names.joined(separator: ", ") }
        return names.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Account] {
        var result: [Account] = []
        for try await (id, login, name, email, role, scopes, state, createdAt)
            in rows.decode((UUID, String, String, String?, String, [String], String, Date).self)
        {
            guard let role = Role(rawValue: role), let state = Account.State(rawValue: state) else { continue }
            result.append(Account(id: id, login: login, displayName: name, email: email, role: role,
                                  scopes: scopes, state: state, createdAt: createdAt))
        }
        return result
    }

    func find(id: UUID) async throws -> Account? {
        try await Self.decode(database.query(PostgresQuery(
            unsafeSQL: "SELECT \(Self.columns) FROM \(accounts) WHERE id = $1", binds: SQL.binds(id)))).first
    }

    /// The account and what login needs to know of it.
    struct Credentials: Sendable {
        var account: Account
        var passwordHash: String?
        var failedLogins: Int
        var lastFailure: Date?
        var lockedUntil: Date?
    }

    func credentials(login: String) async throws -> Credentials? {
        let rows = try await database.query(PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.columns), password_hash, failed_logins, last_failure, locked_until
                FROM \(accounts) WHERE login = $1
                """,
            binds: SQL.binds(login)))
        for try await (id, login, name, email, role, scopes, state, createdAt, hash, failed, lastFailure, locked)
            in rows.decode((UUID, String, String, String?, String, [String], String, Date, String?, Int, Date?, Date?).self)
        {
            guard let role = Role(rawValue: role), let state = Account.State(rawValue: state) else { return nil }
            return Credentials(
                account: Account(id: id, login: login, displayName: name, email: email, role: role,
                                 scopes: scopes, state: state, createdAt: createdAt),
                passwordHash: hash, failedLogins: failed, lastFailure: lastFailure, lockedUntil: locked)
        }
        return nil
    }

    /// Records a failed login; locks the account for `lock` once `threshold` failures came
    /// within a minute of each other (a failure racing past a running lock leaves it as it is).
    /// The count restarts after a lock has run out: one failure
    /// after an expired lock is the first of a new window, never a new lock on its own (else
    /// anyone knowing a login could keep its owner out with one attempt a minute).
    func recordFailure(id: UUID, threshold: Int, lock: Duration) async throws {
        try await database.query(PostgresQuery(
            unsafeSQL: """
                UPDATE \(accounts) SET
                    failed_logins = CASE WHEN locked_until > now()
                                           OR (locked_until IS NULL AND last_failure > now() - interval '1 minute')
                                         THEN failed_logins + 1 ELSE 1 END,
                    last_failure = now(),
                    locked_until = CASE
                        WHEN locked_until > now() THEN locked_until
                        WHEN (CASE WHEN locked_until IS NULL AND last_failure > now() - interval '1 minute'
                                   THEN failed_logins + 1 ELSE 1 END) >= $2
                        THEN now() + make_interval(secs => $3)
                        ELSE NULL END
                WHERE id = $1
                """,
            binds: SQL.binds(id, threshold, Double(lock.components.seconds))))
    }

    func recordSuccess(id: UUID) async throws {
        try await database.query(PostgresQuery(
            unsafeSQL: "UPDATE \(accounts) SET failed_logins = 0, last_failure = NULL, locked_until = NULL WHERE id = $1",
            binds: SQL.binds(id)))
    }

    func create(
        login: String, displayName: String, email: String?, role: Role, scopes: [String], by actor: String,
        on connection: PostgresConnection
    ) async throws -> Account {
        let id = UUID()
        let rows = try await connection.query(PostgresQuery(
            unsafeSQL: """
                INSERT INTO \(accounts) (id, login, display_name, email, role, scopes, state, created_by)
                VALUES ($1, $2, $3, $4, $5, $6, 'en_attente', $7)
                ON CONFLICT (login) DO NOTHING
                RETURNING \(Self.columns)
                """,
            binds: SQL.binds(id, login, displayName, email, role.rawValue, scopes, actor)),
            logger: database.logger)
        guard let account = try await Self.decode(rows).first else {
            throw ServiceError.conflict("compte.existe", "Un compte existe déjà avec l'identifiant « \(login) ».")
        }
        return account
    }

    func setPassword(id: UUID, hash: String, on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(
            unsafeSQL: """
                UPDATE \(accounts) SET password_hash = $2, state = 'actif', failed_logins = 0,
                    locked_until = NULL, updated_at = now()
                WHERE id = $1 AND state <> 'desactive'
                """,
            binds: SQL.binds(id, hash)),
            logger: database.logger)
    }

    func disable(id: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(PostgresQuery(
            unsafeSQL: "UPDATE \(accounts) SET state = 'desactive', updated_at = now() WHERE id = $1 AND state <> 'desactive' RETURNING id",
            binds: SQL.binds(id)),
            logger: database.logger)
        var changed = false
        for try await _ in rows.decode(UUID.self) { changed = true }
        return changed
    }

    /// A page of accounts matching the filters, and how many match in all.
    func list(role: Role?, state: Account.State?, scope: String?, search: String?, limit: Int, offset: Int)
        async throws -> (accounts: [Account], total: Int)
    {
        let rows = try await database.query(PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.columns), count(*) OVER ()::int8 FROM \(accounts)
                WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR state = $2)
                  AND ($3::text IS NULL OR $3 = ANY(scopes))
                  AND ($4::text IS NULL OR login ILIKE '%' || $4 || '%' OR display_name ILIKE '%' || $4 || '%')
                ORDER BY login LIMIT $5 OFFSET $6
                """,
            binds: SQL.binds(role?.rawValue, state?.rawValue, scope, search, limit, offset)))
        var result: [Account] = []
        var total = 0
        for try await (id, login, name, email, role, scopes, state, createdAt, count)
            in rows.decode((UUID, String, String, String?, String, [String], String, Date, Int64).self)
        {
            total = Int(count)
            guard let role = Role(rawValue: role), let state = Account.State(rawValue: state) else { continue }
            result.append(Account(id: id, login: login, displayName: name, email: email, role: role,
                                  scopes: scopes, state: state, createdAt: createdAt))
        }
        return (result, total)
    }
}
