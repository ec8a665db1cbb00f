import Foundation
import PostgresNIO
import Storage

/// The SQL of grade entry: what a worker's transaction reads and writes (each a set-based
/// statement over the whole batch), and the API's reads of recorded outcomes.
struct SaisieRepository: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    /// A lot as a worker sees it under its row lock.
    struct EtatLot: Sendable {
        var session: String
        var unite: String
        /// Open for entry: the lot open and the session's grade collection open.
        var ouvert: Bool
        var verrouille: Bool
        /// The head of the lot's audit chain.
        var seq: Int64
        var hash: String
    }

    /// A copy named by a line, and its stored grade.
    struct Cle: Hashable, Sendable {
        var lot: UUID
        var numero: String
    }

    struct Courante: Sendable {
        var note: String?
        var revision: Int64
        var estDansLeLot: Bool
    }

    /// A grade to store, with the command that set it.
    struct NoteFinale: Sendable {
        var cle: Cle
        var note: String
        var revision: Int64
        var commande: UUID
        var par: String
        var source: String
    }

    /// Locks the lots (`FOR UPDATE`, in id order: no deadlock between workers) and reads them.
    func verrouillerLots(_ lots: [UUID], on connection: PostgresConnection) async throws -> [UUID: EtatLot] {
        let l = database.table("lots"), s = database.table("sessions")
        var etats: [UUID: EtatLot] = [:]
        let rows = try await connection.query(SQL.query(
            """
            SELECT l.id, l.session, l.unite, l.ouvert AND 'collecte_notes' = ANY(s.services), l.verrouille, l.audit_seq, l.audit_hash
            FROM \(l) l JOIN \(s) s ON s.code = l.session WHERE l.id = ANY($1) ORDER BY l.id FOR UPDATE OF l
            """, lots.sorted { $0.uuidString < $1.uuidString }), logger: logger)
        for try await (id, session, unite, ouvert, verrouille, seq, hash) in rows.decode((UUID, String, String, Bool, Bool, Int64, String).self) {
            etats[id] = EtatLot(session: session, unite: unite, ouvert: ouvert, verrouille: verrouille, seq: seq, hash: hash)
        }
        return etats
    }

    /// The commands among `ids` already handled (`commandes`: the idempotency key).
    func dejaTraitees(_ ids: [UUID], on connection: PostgresConnection) async throws -> Set<UUID> {
        var connues = Set<UUID>()
        let rows = try await connection.query(SQL.query(
            "SELECT id FROM \(database.table("commandes")) WHERE id = ANY($1)", ids), logger: logger)
        for try await id in rows.decode(UUID.self) { connues.insert(id) }
        return connues
    }

    /// The stored grade of every copy named, and whether the copy is in its lot.
    func courantes(_ cles: [Cle], on connection: PostgresConnection) async throws -> [Cle: Courante] {
        var courantes: [Cle: Courante] = [:]
        courantes.reserveCapacity(cles.count)
        // One index probe per line, whatever the tables' size: `LIMIT 1` keeps each LATERAL
        // subquery from being flattened into a join the planner would rather hash — for batches
        // of thousands of lines it hashed the whole of `copies` (every session's) per batch.
        let rows = try await connection.query(SQL.query(
            """
            SELECT x.lot, x.numero, c.present IS NOT NULL, n.note, n.revision
            FROM UNNEST($1::uuid[], $2::text[]) AS x(lot, numero)
            LEFT JOIN LATERAL (SELECT true AS present FROM \(database.table("copies")) c
                               WHERE c.lot = x.lot AND c.numero = x.numero LIMIT 1) c ON true
            LEFT JOIN LATERAL (SELECT n.note, n.revision FROM \(database.table("notes")) n
                               WHERE n.lot = x.lot AND n.numero = x.numero LIMIT 1) n ON true
            """, cles.map(\.lot), cles.map(\.numero)), logger: logger)
        for try await (lot, numero, dansLeLot, note, revision) in rows.decode((UUID, String, Bool, String?, Int64?).self) {
            courantes[Cle(lot: lot, numero: numero)] = Courante(note: note, revision: revision ?? 0, estDansLeLot: dansLeLot)
        }
        return courantes
    }

    /// Upserts the grades; a stored grade of a higher revision stays.
    func ecrire(_ notes: [NoteFinale], on connection: PostgresConnection) async throws {
        guard !notes.isEmpty else { return }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("notes")) (lot, numero, note, revision, commande, par, source)
            SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::int8[], $5::uuid[], $6::text[], $7::text[])
            ON CONFLICT (lot, numero) DO UPDATE SET note = excluded.note, revision = excluded.revision,
                commande = excluded.commande, par = excluded.par, source = excluded.source, modifie_le = now()
            WHERE notes.revision < excluded.revision
            """,
            notes.map(\.cle.lot), notes.map(\.cle.numero), notes.map(\.note), notes.map(\.revision),
            notes.map(\.commande), notes.map(\.par), notes.map(\.source)),
            logger: logger)
    }

    /// Appends audit rows and moves each lot's chain head to its last row.
    func ajouter(_ audit: [ChaineAudit.Ligne], tetes: [(lot: UUID, seq: Int64, hash: String)], on connection: PostgresConnection) async throws {
        guard !audit.isEmpty else { return }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("audit"))
                (lot, seq, numero, avant, apres, revision, par, role, source, commande, instant, precedent, empreinte, nature, motif)
            SELECT lot, seq, numero, NULLIF(avant, ''), apres, revision, par, role, source, commande, instant, precedent, empreinte,
                nature, NULLIF(motif, '')
            FROM UNNEST($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[],
                $8::text[], $9::text[], $10::uuid[], $11::int8[], $12::text[], $13::text[], $14::text[], $15::text[])
                AS x(lot, seq, numero, avant, apres, revision, par, role, source, commande, instant, precedent, empreinte, nature, motif)
            """,
            audit.map(\.lot), audit.map(\.seq), audit.map(\.numero), audit.map { $0.avant ?? "" }, audit.map(\.apres),
            audit.map(\.revision), audit.map(\.par), audit.map(\.role), audit.map(\.source), audit.map(\.commande),
            audit.map(\.instant), audit.map(\.precedent), audit.map(\.empreinte), audit.map(\.nature.rawValue),
            audit.map { $0.motif ?? "" }),
            logger: logger)
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("lots")) l SET audit_seq = x.seq, audit_hash = x.hash
            FROM UNNEST($1::uuid[], $2::int8[], $3::text[]) AS x(id, seq, hash) WHERE l.id = x.id
            """, tetes.map(\.lot), tetes.map(\.seq), tetes.map(\.hash)), logger: logger)
    }

    /// Records the outcome of every command handled (`commandes`).
    func enregistrer(_ resultats: [(resultat: ResultatCommande, commande: CommandeSaisie)], on connection: PostgresConnection) async throws {
        guard !resultats.isEmpty else { return }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("commandes")) (id, lot, statut, appliquees, ignorees, message, par, source, empreinte)
            SELECT id, lot, statut, appliquees, ignorees, NULLIF(message, ''), par, source, empreinte
            FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::int4[], $5::int4[], $6::text[], $7::text[], $8::text[], $9::text[])
                AS x(id, lot, statut, appliquees, ignorees, message, par, source, empreinte)
            """,
            resultats.map(\.resultat.commande), resultats.map(\.commande.lot), resultats.map(\.resultat.statut),
            resultats.map { Int32(clamping: $0.resultat.appliquees) }, resultats.map { Int32(clamping: $0.resultat.ignorees) },
            resultats.map { $0.resultat.message ?? "" }, resultats.map(\.commande.par), resultats.map(\.commande.source),
            resultats.map(\.commande.empreinte)),
            logger: logger)
    }

    /// Sends every payload on `canal` (`NOTIFY`) inside the caller's transaction, delivered at
    /// its commit: one statement whatever their number.
    func notifier(_ payloads: [String], canal: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "SELECT pg_notify($1, p) FROM UNNEST($2::text[]) AS p", canal, payloads), logger: logger)
    }

    // MARK: The API's reads

    /// The recorded outcome of a command, nil while it is still on the queue.
    func resultat(_ id: UUID) async throws -> ResultatCommande? {
        let rows = try await database.query(SQL.query(
            "SELECT statut, appliquees, ignorees, message FROM \(database.table("commandes")) WHERE id = $1", id))
        for try await (statut, appliquees, ignorees, message) in rows.decode((String, Int, Int, String?).self) {
            return ResultatCommande(commande: id, statut: statut, appliquees: appliquees, ignorees: ignorees, message: message)
        }
        return nil
    }

    /// What a handled command contained (`CommandeSaisie.empreinte`), nil while it is not
    /// handled (or for a command recorded before this was kept).
    func empreinte(_ id: UUID) async throws -> String? {
        let rows = try await database.query(SQL.query(
            "SELECT empreinte FROM \(database.table("commandes")) WHERE id = $1", id))
        for try await empreinte in rows.decode(String?.self) { return empreinte }
        return nil
    }

    /// The pairs (lot, grader) among `paires` whose grader is assigned to the lot now (under the
    /// lot's row lock, taken before by `verrouillerLots`).
    func affectes(_ paires: [(lot: UUID, sujet: String)], on connection: PostgresConnection) async throws -> Set<String> {
        guard !paires.isEmpty else { return [] }
        var affectes = Set<String>()
        let rows = try await connection.query(SQL.query(
            """
            SELECT DISTINCT x.lot, x.sujet FROM UNNEST($1::uuid[], $2::text[]) AS x(lot, sujet)
            WHERE EXISTS (SELECT 1 FROM \(database.table("correcteurs")) k WHERE k.lot = x.lot AND k.sujet = x.sujet)
            """, paires.map(\.lot), paires.map(\.sujet)), logger: logger)
        for try await (lot, sujet) in rows.decode((UUID, String).self) { affectes.insert(Self.affectation(lot, sujet)) }
        return affectes
    }

    static func affectation(_ lot: UUID, _ sujet: String) -> String { "\(lot.uuidString)\u{1F}\(sujet)" }

    /// The lot and the sender of a command (who may read its outcome).
    func lotDeCommande(_ id: UUID) async throws -> (lot: UUID, par: String)? {
        let rows = try await database.query(SQL.query(
            "SELECT lot, par FROM \(database.table("commandes")) WHERE id = $1", id))
        for try await (lot, par) in rows.decode((UUID, String).self) { return (lot, par) }
        return nil
    }
}
