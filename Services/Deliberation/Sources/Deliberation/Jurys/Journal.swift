import Foundation
import PostgresNIO
import ServiceKit
import Storage

/// The jury's journal, hash-chained: each row's `empreinte` is the HMAC (the service's
/// `CleAudit`, from the environment) of its fields and of the previous row's `empreinte`
/// (`precedent`, "" for the first). The jury's row holds the head (`journal_seq`,
/// `journal_hash`): a row changed, removed, inserted or appended without the key breaks the
/// chain, which `verifier` finds.
struct Journal: Sendable {
    let database: Database
    let cle: CleAudit

    enum Nature: String, Sendable, Codable {
        case ouverture, intervention, cloture, reouverture
    }

    struct Entree: Sendable, Codable, Equatable {
        var seq: Int64
        var nature: Nature
        var candidature: UUID?
        var numero: String?
        var unite: String?
        var avant: String?
        var apres: String?
        var motif: String?
        var par: String
        var role: String
        /// Milliseconds since 1970, UTC.
        var instant: Int64
        var precedent: String
        var empreinte: String
    }

    /// Appends a row after the jury's head, in `connection`'s transaction (the jury's row is
    /// locked by the caller, `FOR UPDATE`, so that two writers never fork the chain).
    func ajouter(
        jury: UUID, _ nature: Nature, candidature: UUID? = nil, numero: String? = nil, unite: String? = nil,
        avant: String? = nil, apres: String? = nil, motif: String? = nil, par: String, role: String,
        on connection: PostgresConnection
    ) async throws {
        var tete: (Int64, String) = (0, "")
        for try await ligne in try await connection.query(SQL.query(
            "SELECT journal_seq, journal_hash FROM \(database.table("jurys")) WHERE id = $1", jury), logger: database.logger
        ).decode((Int64, String).self) { tete = ligne }
        var entree = Entree(
            seq: tete.0 + 1, nature: nature, candidature: candidature, numero: numero, unite: unite, avant: avant, apres: apres,
            motif: motif.map(Self.propre), par: par, role: role, instant: Int64((Date().timeIntervalSince1970 * 1000).rounded()),
            precedent: tete.1, empreinte: "")
        entree.empreinte = empreinte(jury: jury, entree)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("journal"))
                (jury, seq, nature, candidature, numero, unite, avant, apres, motif, par, role, instant, precedent, empreinte)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            jury, entree.seq, nature.rawValue, candidature, numero, unite, avant, apres, entree.motif, par, role, entree.instant,
            entree.precedent, entree.empreinte), logger: database.logger)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("jurys")) SET journal_seq = $2, journal_hash = $3 WHERE id = $1", jury, entree.seq, entree.empreinte),
            logger: database.logger)
    }

    /// The jury's journal in order.
    func entrees(jury: UUID) async throws -> [Entree] {
        let rows = try await database.query(SQL.query(
            """
            SELECT seq, nature, candidature, numero, unite, avant, apres, motif, par, role, instant, precedent, empreinte
            FROM \(database.table("journal")) WHERE jury = $1 ORDER BY seq
            """, jury))
        var entrees: [Entree] = []
        for try await (seq, nature, candidature, numero, unite, avant, apres, motif, par, role, instant, precedent, empreinte) in rows.decode(
            (Int64, String, UUID?, String?, String?, String?, String?, String?, String, String, Int64, String, String).self)
        {
            entrees.append(Entree(
                seq: seq, nature: Nature(rawValue: nature) ?? .intervention, candidature: candidature, numero: numero, unite: unite,
                avant: avant, apres: apres, motif: motif, par: par, role: role, instant: instant, precedent: precedent,
                empreinte: empreinte))
        }
        return entrees
    }

    /// The faults of the jury's chain (empty when it holds): a row whose hash or link is wrong,
    /// a gap in the sequence, a head that is not the last row.
    func verifier(jury: UUID) async throws -> [String] {
        var anomalies: [String] = []
        var precedent = ""
        var attendu: Int64 = 1
        for entree in try await entrees(jury: jury) {
            if entree.seq != attendu { anomalies.append("ligne \(entree.seq) : la ligne \(attendu) manque") }
            if entree.precedent != precedent { anomalies.append("ligne \(entree.seq) : chaînage rompu") }
            if entree.empreinte != empreinte(jury: jury, entree) { anomalies.append("ligne \(entree.seq) : empreinte invalide") }
            precedent = entree.empreinte
            attendu = entree.seq + 1
        }
        for try await (seq, hash) in try await database.query(SQL.query(
            "SELECT journal_seq, journal_hash FROM \(database.table("jurys")) WHERE id = $1", jury)).decode((Int64, String).self)
        where seq != attendu - 1 || hash != precedent {
            anomalies.append("tête du journal (\(seq)) différente de sa dernière ligne (\(attendu - 1))")
        }
        return anomalies
    }

    private func empreinte(jury: UUID, _ e: Entree) -> String {
        let absent = "\u{0}"
        return cle.empreinte([
            jury.uuidString.lowercased(), String(e.seq), e.nature.rawValue, e.candidature?.uuidString.lowercased() ?? absent,
            e.numero ?? absent, e.unite ?? absent, e.avant ?? absent, e.apres ?? absent, e.motif ?? absent, e.par, e.role,
            String(e.instant), e.precedent,
        ])
    }

    /// A reason as the journal stores it: trimmed, its control characters (U+001F, the
    /// separator, among them) replaced by spaces.
    static func propre(_ texte: String) -> String {
        String(String.UnicodeScalarView(texte.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
