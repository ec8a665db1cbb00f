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

/// Mails the system sends (activation and reset links). Each mail goes whole to the mail
/// directory (`CYCLADES_MAIL_DIR`: one file per mail, readable by the operator only, where the
/// mailer takes it), and into `mail_outbox` — in the same transaction as the token it carries —
/// with its link's secret masked: the outbox, and `GET /api/v1/courriels` which lists it, show
/// what was sent to whom, never a live link (else whoever reads them could take any account
/// over silently).
struct MailOutbox: Sendable {
    struct Mail: Codable, Sendable {
        var recipient: String
        var subject: String
        var body: String
        var purpose: String
        var createdAt: Date
    }

    let database: Database
    /// Where the whole mails are written (created 0700, files 0600).
    let directory: String
    private var table: String { database.table("mail_outbox") }

    /// `body` with every link secret (`jeton=…`) masked.
    static func masque(_ body: String) -> String {
        body.replacing(/jeton=[A-Za-z0-9_\-]+/, with: "jeton=[masqué]")
    }

    func enqueue(to recipient: String, subject: String, body: String, purpose: String, on connection: PostgresConnection) async throws {
        try deposer(to: recipient, subject: subject, body: body, purpose: purpose)
        try await connection.query(PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (recipient, subject, body, purpose) VALUES ($1, $2, $3, $4)",
            binds: SQL.binds(recipient, subject, Self.masque(body), purpose)),
            logger: database.logger)
    }

    /// Writes the whole mail as `<instant>-<uuid>.eml` in `directory`, headers then a blank line
    /// then the body. A mail whose transaction then fails carries a link that never worked.
    private func deposer(to recipient: String, subject: String, body: String, purpose: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let instant = String(format: "%020llu", DispatchTime.now().uptimeNanoseconds)
        let path = (directory as NSString).appendingPathComponent("\(instant)-\(UUID().uuidString.lowercased()).eml")
        let text = "To: \(recipient)\nSubject: \(subject)\nX-Cyclades-Objet: \(purpose)\n\n\(body)"
        guard files.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw MailDirectoryError(path: path)
        }
    }

    struct MailDirectoryError: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot write the mail \(path)" }
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
