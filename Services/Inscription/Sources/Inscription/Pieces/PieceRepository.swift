import Crypto
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// A pièce justificative as lists show it (never its content).
struct Piece: Codable, Sendable {
    var id: UUID
    var candidature: UUID
    var type: String
    var nomFichier: String
    var mediaType: String
    var taille: Int
    var sha256: String
    var statut: String
    var motifRefus: String?
    var deposeeLe: String
    var deposeePar: String
}

/// Pièces justificatives: stored in the database (bytea), typed by their content, served only
/// through the routes that check who asks.
struct PieceRepository: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    static let tailleMaximale = 5 << 20

    /// The media type of a file, from its first bytes (what the client says is ignored).
    static func typeReel(_ octets: [UInt8]) -> String? {
        if octets.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if octets.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if octets.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        return nil
    }

    /// A file name safe to show and to put in a header: no path, no control or quote characters.
    static func nomPropre(_ nom: String) -> String {
        let base = nom.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let propre = base.filter { !$0.isNewline && $0 != "\"" && !($0.asciiValue.map { $0 < 32 || $0 == 127 } ?? false) }
        return propre.isEmpty ? "piece" : String(propre.prefix(120))
    }

    func deposer(candidature: UUID, type: String, nomFichier: String, octets: [UInt8], par: String, on connection: PostgresConnection) async throws -> Piece {
        guard !octets.isEmpty else {
            throw ServiceError.invalid("piece.vide", "Le fichier est vide.")
        }
        guard octets.count <= Self.tailleMaximale else {
            throw ServiceError(.contentTooLarge, code: "piece.trop_grande", message: "Une pièce pèse au plus \(Self.tailleMaximale >> 20) Mio.")
        }
        guard let mediaType = Self.typeReel(octets) else {
            throw ServiceError(.unsupportedMediaType, code: "piece.format",
                               message: "Format refusé : seuls les fichiers PDF, JPEG et PNG sont acceptés (d'après leur contenu).")
        }
        let id = UUID()
        let empreinte = SHA256.hash(data: octets).map { String(format: "%02x", $0) }.joined()
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("pieces")) (id, candidature, type, nom_fichier, media_type, taille, sha256, contenu, statut, deposee_par)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'recue', $9)
            """, id, candidature, type, Self.nomPropre(nomFichier), mediaType, octets.count, empreinte, ByteBuffer(bytes: octets), par),
            logger: logger)
        guard let piece = try await lire(id, on: connection) else { throw ServiceError.notFound("Pièce introuvable.") }
        return piece
    }

    private var colonnes: String {
        "id, candidature, type, nom_fichier, media_type, taille, sha256, statut, motif_refus, \(CandidatureRepository.horodatage("deposee_le")), deposee_par"
    }

    private func decoder(_ rows: PostgresRowSequence) async throws -> [Piece] {
        var pieces: [Piece] = []
        for try await (id, candidature, type, nom, media, taille, sha, statut, motif, le, par) in rows.decode(
            (UUID, UUID, String, String, String, Int, String, String, String?, String, String).self)
        {
            pieces.append(Piece(id: id, candidature: candidature, type: type, nomFichier: nom, mediaType: media, taille: taille,
                                sha256: sha, statut: statut, motifRefus: motif, deposeeLe: le, deposeePar: par))
        }
        return pieces
    }

    func lire(_ id: UUID, on connection: PostgresConnection? = nil) async throws -> Piece? {
        let query = SQL.query("SELECT \(colonnes) FROM \(database.table("pieces")) WHERE id = $1", id)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        return try await decoder(rows).first
    }

    func liste(_ candidature: UUID) async throws -> [Piece] {
        try await decoder(try await database.query(SQL.query(
            "SELECT \(colonnes) FROM \(database.table("pieces")) WHERE candidature = $1 ORDER BY deposee_le, id", candidature)))
    }

    func contenu(_ id: UUID) async throws -> ByteBuffer? {
        let rows = try await database.query(SQL.query("SELECT contenu FROM \(database.table("pieces")) WHERE id = $1", id))
        for try await octets in rows.decode(ByteBuffer.self) { return octets }
        return nil
    }

    func decider(_ id: UUID, statut: String, motif: String?, par: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("pieces")) SET statut = $2, motif_refus = $3, decidee_par = $4, decidee_le = now() WHERE id = $1
            """, id, statut, motif, par), logger: logger)
    }
}

extension Piece: ResponseEncodable {}
