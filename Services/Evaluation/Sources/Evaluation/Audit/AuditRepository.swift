import Foundation
import PostgresNIO
import Storage

/// The SQL of reading the audit back for its verification (`VerificationAudit`): each lot's
/// chain head, every row in chain order, the stored grades. Rows are written with the grades
/// (`SaisieRepository.ajouter`); the gestionnaire's listing of one lot is `SuiviRepository.audit`.
struct AuditRepository: Sendable {
    let database: Database

    /// A stored row of the chain: its fields, its stored nature (possibly unknown) and hash.
    struct LigneStockee: Sendable {
        /// The row's fields; an unknown nature reads as `note` (`nature` tells it).
        var ligne: ChaineAudit.Ligne
        var nature: String
        var empreinte: String
    }

    /// The head of every lot's chain (`lots.audit_seq/audit_hash`), of one session or all.
    func tetes(session: String?) async throws -> [UUID: (seq: Int64, hash: String)] {
        var tetes: [UUID: (seq: Int64, hash: String)] = [:]
        for try await (id, seq, hash) in try await database.query(SQL.query(
            "SELECT id, audit_seq, audit_hash FROM \(database.table("lots")) WHERE $1::text IS NULL OR session = $1", session))
            .decode((UUID, Int64, String).self)
        {
            tetes[id] = (seq, hash)
        }
        return tetes
    }

    /// Hands every audit row of one session's lots (or all) to `corps` as it is read, by lot
    /// then seq, without holding them all.
    func parcourir(session: String?, _ corps: (LigneStockee) throws -> Void) async throws {
        let a = database.table("audit"), l = database.table("lots")
        let rows = try await database.query(SQL.query(
            """
            SELECT a.lot, a.seq, a.numero, a.avant, a.apres, a.revision, a.par, a.role, a.source, a.commande, a.instant, a.precedent, a.empreinte,
                a.nature, a.motif
            FROM \(a) a JOIN \(l) l ON l.id = a.lot WHERE $1::text IS NULL OR l.session = $1 ORDER BY a.lot, a.seq
            """, session))
        for try await (id, seq, numero, avant, apres, revision, par, role, source, commande, instant, prec, empreinte, nature, motif)
            in rows.decode((UUID, Int64, String, String?, String, Int64, String, String, String, UUID, Int64, String, String, String, String?).self)
        {
            try corps(LigneStockee(
                ligne: ChaineAudit.Ligne(
                    lot: id, seq: seq, numero: numero, avant: avant, apres: apres, revision: revision, par: par, role: role,
                    source: source, commande: commande, instant: instant, precedent: prec,
                    nature: ChaineAudit.Nature(rawValue: nature) ?? .note, motif: motif),
                nature: nature, empreinte: empreinte))
        }
    }

    /// Hands every stored grade of one session's lots (or all) to `corps` as it is read.
    func parcourirNotes(session: String?, _ corps: (_ lot: UUID, _ numero: String, _ note: String) throws -> Void) async throws {
        let n = database.table("notes"), l = database.table("lots")
        let notes = try await database.query(SQL.query(
            "SELECT n.lot, n.numero, n.note FROM \(n) n JOIN \(l) l ON l.id = n.lot WHERE $1::text IS NULL OR l.session = $1", session))
        for try await (id, numero, note) in notes.decode((UUID, String, String).self) {
            try corps(id, numero, note)
        }
    }
}
