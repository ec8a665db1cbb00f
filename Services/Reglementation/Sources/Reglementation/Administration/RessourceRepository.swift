import Contracts
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// A version of an academic resource printed on documents (a signature, a logo).
public struct Ressource: Codable, Sendable, Equatable, ResponseCodable {
    public var academie: String
    /// `signature.recteur`, `logo.academie`…
    public var code: String
    public var version: Int
    public var libelle: String
    public var mediaType: String
    public var taille: Int
    /// SHA-256 of the content, hexadecimal.
    public var empreinte: String
    public var deposeePar: String
    public var deposeeLe: Date
}

/// SQL of the resources: every different content is a new version; the same content again is
/// no new version. Versions are never changed nor deleted (old documents keep theirs). A new
/// version writes `reglementation.ressource.deposee` (its content included) in the same
/// transaction: the services printing documents keep their copy from it.
public struct RessourceRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    static let colonnes = "academie, code, version, libelle, media_type, octet_length(contenu), empreinte, deposee_par, deposee_le"

    /// The stored version and whether it is new.
    func deposer(academie: String, code: String, libelle: String, mediaType: String, contenu: ByteBuffer, par subject: String) async throws -> (ressource: Ressource, nouvelle: Bool) {
        let table = database.table("ressources")
        return try await database.transaction { connection in
            try await connection.run(
                SQL.query("SELECT pg_advisory_xact_lock(hashtext('cyclades.reglementation.ressource.' || $1 || '.' || $2))", academie, code),
                database.logger)
            let dernieres = try await connection.run(
                SQL.query(
                    """
                    SELECT \(Self.colonnes), empreinte = encode(sha256($3), 'hex') FROM \(table)
                    WHERE academie = $1 AND code = $2 ORDER BY version DESC LIMIT 1
                    """,
                    academie, code, contenu),
                database.logger)
            for try await row in dernieres {
                let derniere = try Self.decode(row)
                if try row.makeRandomAccess()[9].decode(Bool.self) && derniere.libelle == libelle && derniere.mediaType == mediaType {
                    return (derniere, false)
                }
            }
            let rows = try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(table) (academie, code, version, libelle, media_type, contenu, empreinte, deposee_par)
                    SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4, $5, encode(sha256($5), 'hex'), $6
                    FROM \(table) WHERE academie = $1 AND code = $2
                    RETURNING \(Self.colonnes)
                    """,
                    academie, code, libelle, mediaType, contenu, subject),
                database.logger)
            var inseree: Ressource?
            for try await row in rows { inseree = try Self.decode(row) }
            guard let ressource = inseree else {
                throw ServiceError(.internalServerError, code: "ressource.depot", message: "Le dépôt de la ressource a échoué.")
            }
            try await outbox.write(
                RessourceDeposee(
                    academie: ressource.academie, code: ressource.code, version: ressource.version,
                    libelle: ressource.libelle, mediaType: ressource.mediaType,
                    contenu: Data(contenu.readableBytesView), empreinte: ressource.empreinte,
                    deposeePar: ressource.deposeePar, deposeeLe: ressource.deposeeLe),
                aggregate: "ressource:\(academie):\(code)", on: connection, logger: database.logger)
            return (ressource, true)
        }
    }

    /// The latest version of each resource, optionally of one académie.
    func liste(academie: String?, pagination: Pagination) async throws -> (items: [Ressource], total: Int) {
        let rows = try await database.query(SQL.query(
            """
            SELECT \(Self.colonnes), count(*) OVER () FROM (
                SELECT DISTINCT ON (academie, code) * FROM \(database.table("ressources"))
                WHERE $1::text IS NULL OR academie = $1 ORDER BY academie, code, version DESC
            ) r ORDER BY academie, code LIMIT $2 OFFSET $3
            """,
            academie, pagination.taille, pagination.offset))
        var items: [Ressource] = []
        var total = 0
        for try await row in rows {
            items.append(try Self.decode(row))
            total = Int(try row.makeRandomAccess()[9].decode(Int64.self))
        }
        return (items, total)
    }

    func versions(academie: String, code: String) async throws -> [Ressource] {
        let rows = try await database.query(SQL.query(
            "SELECT \(Self.colonnes) FROM \(database.table("ressources")) WHERE academie = $1 AND code = $2 ORDER BY version DESC",
            academie, code))
        var items: [Ressource] = []
        for try await row in rows { items.append(try Self.decode(row)) }
        return items
    }

    /// A version (the latest when `version` is nil) with its content.
    func contenu(academie: String, code: String, version: Int?) async throws -> (ressource: Ressource, contenu: ByteBuffer)? {
        let rows = try await database.query(SQL.query(
            """
            SELECT \(Self.colonnes), contenu FROM \(database.table("ressources"))
            WHERE academie = $1 AND code = $2 AND ($3::int IS NULL OR version = $3) ORDER BY version DESC LIMIT 1
            """,
            academie, code, version))
        for try await row in rows {
            return (try Self.decode(row), try row.makeRandomAccess()[9].decode(ByteBuffer.self))
        }
        return nil
    }

    /// The first nine columns (`colonnes`) of a row.
    static func decode(_ row: PostgresRow) throws -> Ressource {
        let c = row.makeRandomAccess()
        return Ressource(
            academie: try c[0].decode(String.self), code: try c[1].decode(String.self), version: try c[2].decode(Int.self),
            libelle: try c[3].decode(String.self), mediaType: try c[4].decode(String.self), taille: try c[5].decode(Int.self),
            empreinte: try c[6].decode(String.self), deposeePar: try c[7].decode(String.self), deposeeLe: try c[8].decode(Date.self))
    }
}
