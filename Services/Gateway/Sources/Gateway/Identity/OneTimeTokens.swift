import Crypto
import Foundation
import PostgresNIO
import Storage

/// Activation links, reset links and papillon codes. The secret goes to the person (by mail or
/// on paper); the database keeps only its SHA-256, so a copy of the table opens nothing.
struct OneTimeTokens: Sendable {
    enum Purpose: String, Sendable { case activation, reinitialisation, papillon }

    let database: Database
    private var table: String { database.table("one_time_tokens") }

    /// A link secret: 32 random bytes, URL-safe.
    static func linkSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A code to type from paper: 12 characters without look-alikes (0/O, 1/I/L), in groups of 4.
    static func paperCode() -> String {
        let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<12).map { _ in alphabet.randomElement(using: &generator)! }
        return stride(from: 0, to: 12, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// A typed paper code in its canonical form: upper case, without spaces or dashes.
    static func canonical(paperCode: String) -> String {
        paperCode.uppercased().filter { $0 != "-" && !$0.isWhitespace }
    }

    static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func issue(_ purpose: Purpose, account: UUID, secret: String, validFor: Duration, on connection: PostgresConnection) async throws {
        // A new link replaces the unused ones of the same purpose.
        try await connection.query(PostgresQuery(
            unsafeSQL: "UPDATE \(table) SET used_at = now() WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
            binds: SQL.binds(account, purpose.rawValue)), logger: database.logger)
        try await connection.query(PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (token_hash, account_id, purpose, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 second')",
            binds: SQL.binds(Self.digest(secret), account, purpose.rawValue, Int(validFor.components.seconds))),
            logger: database.logger)
    }

    /// Uses a token once: returns its account when it exists, is unused, unexpired and of this
    /// purpose (and marks it used in the caller's transaction).
    func consume(_ purpose: Purpose, secret: String, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query(PostgresQuery(
            unsafeSQL: """
                UPDATE \(table) SET used_at = now()
                WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
                RETURNING account_id
                """,
            binds: SQL.binds(Self.digest(secret), purpose.rawValue)),
            logger: database.logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }
}
