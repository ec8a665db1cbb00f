import Foundation
import PostgresNIO
import Storage

/// The SQL of locking a lot's entry: the lot's lock under its row lock, the history of locks
/// (`verrouillages`), the reopenings (`reouvertures`) and the consolidation of a unit
/// (`consolidations`). Every statement runs in the caller's transaction (`Verrouillages`).
struct VerrouillageRepository: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    /// A lot under its row lock (`FOR UPDATE`): its state and the head of its audit chain.
    func verrouillerLot(_ id: UUID, on connection: PostgresConnection) async throws -> SaisieRepository.EtatLot? {
        let rows = try await connection.query(SQL.query(
            "SELECT verrouille, session, unite, audit_seq, audit_hash FROM \(database.table("lots")) WHERE id = $1 FOR UPDATE", id),
            logger: logger)
        for try await (verrouille, session, unite, seq, hash) in rows.decode((Bool, String, String, Int64, String).self) {
            return SaisieRepository.EtatLot(session: session, unite: unite, ouvert: false, verrouille: verrouille, seq: seq, hash: hash)
        }
        return nil
    }

    /// Locks the lot (by `par`, now) or unlocks it.
    func marquer(_ id: UUID, verrouille: Bool, par: String, on connection: PostgresConnection) async throws {
        let l = database.table("lots")
        if verrouille {
            try await connection.query(SQL.query(
                "UPDATE \(l) SET verrouille = true, verrouille_par = $2, verrouille_le = now() WHERE id = $1", id, par),
                logger: logger)
        } else {
            try await connection.query(SQL.query(
                "UPDATE \(l) SET verrouille = false, verrouille_par = NULL, verrouille_le = NULL WHERE id = $1", id), logger: logger)
        }
    }

    /// Appends a lock or an unlock to the lot's history.
    func historique(
        _ lot: UUID, verrouille: Bool, par: String, role: String, motif: String?, on connection: PostgresConnection
    ) async throws {
        try await connection.query(SQL.query(
            "INSERT INTO \(database.table("verrouillages")) (lot, verrouille, par, role, motif) VALUES ($1, $2, $3, $4, $5)",
            lot, verrouille, par, role, motif), logger: logger)
    }

    /// Records the reopening of a lot whose unit was consolidated.
    func reouverture(
        _ lot: UUID, session: String, unite: String, par: String, motif: String, on connection: PostgresConnection
    ) async throws {
        try await connection.query(SQL.query(
            "INSERT INTO \(database.table("reouvertures")) (lot, session, unite, par, motif) VALUES ($1, $2, $3, $4, $5)",
            lot, session, unite, par, motif), logger: logger)
    }

    /// Copies of the lot with neither a grade nor an absence recorded, by numéro.
    func manquantes(lot: UUID, on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query(SQL.query(
            """
            SELECT c.numero FROM \(database.table("copies")) c
            WHERE c.lot = $1 AND c.absence IS NULL
              AND NOT EXISTS (SELECT 1 FROM \(database.table("notes")) n WHERE n.lot = c.lot AND n.numero = c.numero)
            ORDER BY c.numero
            """, lot), logger: logger)
        var numeros: [String] = []
        for try await numero in rows.decode(String.self) { numeros.append(numero) }
        return numeros
    }

    /// How many copies the lot holds.
    func compte(_ lot: UUID, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(SQL.query(
            "SELECT count(*)::int8 FROM \(database.table("copies")) WHERE lot = $1", lot), logger: logger)
        for try await n in rows.decode(Int64.self) { return Int(n) }
        return 0
    }

    // MARK: Consolidation

    func estConsolidee(session: String, unite: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(SQL.query(
            "SELECT true FROM \(database.table("consolidations")) WHERE session = $1 AND unite = $2", session, unite), logger: logger)
        for try await _ in rows.decode(Bool.self) { return true }
        return false
    }

    /// What keeps the unit from being consolidated: its lots not locked plus its copies (not
    /// withdrawn) in no lot.
    func resteAVerrouiller(session: String, unite: String, on connection: PostgresConnection) async throws -> Int64 {
        let l = database.table("lots"), c = database.table("copies")
        let ouverts = try await connection.query(SQL.query(
            """
            SELECT (SELECT count(*) FROM \(l) WHERE session = $1 AND unite = $2 AND NOT verrouille)
                 + (SELECT count(*) FROM \(c) WHERE session = $1 AND unite = $2 AND lot IS NULL AND NOT retiree)
            """, session, unite), logger: logger)
        var reste: Int64 = 1
        for try await count in ouverts.decode(Int64.self) { reste = count }
        return reste
    }

    /// The unit's copies (not withdrawn) by numéro, each with its grade or, failing one, the
    /// absence recorded by the centre (nil when it has neither).
    func notes(session: String, unite: String, on connection: PostgresConnection) async throws -> [(numero: String, note: String?)] {
        let c = database.table("copies"), n = database.table("notes")
        let rows = try await connection.query(SQL.query(
            """
            SELECT c.numero, COALESCE(n.note, c.absence) FROM \(c) c LEFT JOIN \(n) n ON n.lot = c.lot AND n.numero = c.numero
            WHERE c.session = $1 AND c.unite = $2 AND NOT c.retiree ORDER BY c.numero
            """, session, unite), logger: logger)
        var notes: [(numero: String, note: String?)] = []
        for try await (numero, texte) in rows.decode((String, String?).self) { notes.append((numero, texte)) }
        return notes
    }

    /// Records that the unit's `notes` grades were consolidated (again, after a reopening).
    func consolider(session: String, unite: String, notes: Int, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("consolidations")) (session, unite, notes) VALUES ($1, $2, $3)
            ON CONFLICT (session, unite) DO UPDATE SET notes = excluded.notes, le = now()
            """, session, unite, notes), logger: logger)
    }

    /// Withdraws the unit's consolidation (an unlock or a reopening).
    func retirerConsolidation(session: String, unite: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "DELETE FROM \(database.table("consolidations")) WHERE session = $1 AND unite = $2", session, unite), logger: logger)
    }
}
