import Foundation
import Logging
import PostgresNIO
import Storage

/// The access audit: every login, failed login, refusal and administrative change — who, when,
/// from where, what. Written beside the change it records when there is one (same transaction).
struct AccessAudit: Sendable {
    enum Outcome: String, Sendable { case succes, echec, refus }

    struct Entry: Codable, Sendable {
        var at: Date
        var actor: String?
        var actorRole: String?
        var address: String?
        var action: String
        var target: String?
        var outcome: String
        var detail: String?
    }

    let database: Database
    private var table: String { database.table("access_audit") }

    func record(
        _ action: String, outcome: Outcome, actor: String?, role: String? = nil, address: String?,
        target: String? = nil, detail: String? = nil, on connection: PostgresConnection? = nil
    ) async throws {
        let query = PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (actor, actor_role, address, action, target, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            binds: SQL.binds(actor, role, address, action, target, outcome.rawValue, detail))
        if let connection {
            try await connection.query(query, logger: database.logger)
        } else {
            try await database.query(query)
        }
    }

    /// Newest first, optionally of one actor or action.
    func list(actor: String?, action: String?, limit: Int, offset: Int) async throws -> [Entry] {
        let rows = try await database.query(PostgresQuery(
            unsafeSQL: """
                SELECT at, actor, actor_role, address, action, target, outcome, detail FROM \(table)
                WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2)
                ORDER BY id DESC LIMIT $3 OFFSET $4
                """,
            binds: SQL.binds(actor, action, limit, offset)))
        var entries: [Entry] = []
        for try await (at, actor, role, address, action, target, outcome, detail)
            in rows.decode((Date, String?, String?, String?, String, String?, String, String?).self)
        {
            entries.append(Entry(at: at, actor: actor, actorRole: role, address: address, action: action,
                                 target: target, outcome: outcome, detail: detail))
        }
        return entries
    }
}

/// Mails the system sends (activation and reset links). Kept in `mail_outbox` in the same
/// transaction as the token they carry; a mailer relays them, the demo reads them there.
struct MailOutbox: Sendable {
    struct Mail: Codable, Sendable {
        var recipient: String
        var subject: String
        var body: String
        var purpose: String
        var createdAt: Date
    }

    let database: Database
    private var table: String { database.table("mail_outbox") }

    func enqueue(to recipient: String, subject: String, body: String, purpose: String, on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (recipient, subject, body, purpose) VALUES ($1, $2, $3, $4)",
            binds: SQL.binds(recipient, subject, body, purpose)),
            logger: database.logger)
    }

    func list(recipient: String?, limit: Int) async throws -> [Mail] {
        let rows = try await database.query(PostgresQuery(
            unsafeSQL: """
                SELECT recipient, subject, body, purpose, created_at FROM \(table)
                WHERE ($1::text IS NULL OR recipient = $1) ORDER BY id DESC LIMIT $2
                """,
            binds: SQL.binds(recipient, limit)))
        var mails: [Mail] = []
        for try await (recipient, subject, body, purpose, createdAt) in rows.decode((String, String, String, String, Date).self) {
            mails.append(Mail(recipient: recipient, subject: subject, body: body, purpose: purpose, createdAt: createdAt))
        }
        return mails
    }
}
