import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// What a worker does with a batch of commands, in ONE transaction and a fixed number of
/// set-based statements whatever the batch size:
///  1. lock the lots concerned (`FOR UPDATE`, in id order: no deadlock between workers) — it
///     serialises writers of one lot, orders its audit chain and sees lock/unlock exactly;
///  2. skip the commands already handled (`commandes`: the idempotency key);
///  3. refuse a command whose lot is locked or closed for its sender, or names a copy not in it;
///  4. read the current grades of the copies concerned, apply the lines in revision order (a
///     line over an equal or higher revision is ignored: a replay or a late older save);
///  5. upsert the grades (UNNEST), append the audit rows with their hash chain and move each
///     lot's chain head, record every command's outcome, write one `evaluation.notes.saisies`
///     per lot in the outbox, and NOTIFY the outcomes (delivered at commit).
struct TraitementSaisies: Sendable {
    let database: Database
    let outbox: OutboxWriter

    var logger: Logger { database.logger }

    private struct EtatLot {
        var session: String
        var unite: String
        var ouvert: Bool
        var verrouille: Bool
        var seq: Int64
        var hash: String
    }

    private struct Courante {
        var note: String?
        var revision: Int64
        var estDansLeLot: Bool
    }

    private struct Cle: Hashable {
        var lot: UUID
        var numero: String
    }

    /// Handles `commandes` (distinct ids) inside the caller's transaction; returns the outcome of
    /// each command handled now (those already handled before are left out).
    func traiter(_ commandes: [CommandeSaisie], on connection: PostgresConnection) async throws -> [ResultatCommande] {
        let lots = Array(Set(commandes.map(\.lot))).sorted { $0.uuidString < $1.uuidString }
        // 1. Lock the lots.
        let l = database.table("lots"), s = database.table("sessions")
        var etats: [UUID: EtatLot] = [:]
        let rows = try await connection.query(SQL.query(
            """
            SELECT l.id, l.session, l.unite, l.ouvert AND 'collecte_notes' = ANY(s.services), l.verrouille, l.audit_seq, l.audit_hash
            FROM \(l) l JOIN \(s) s ON s.code = l.session WHERE l.id = ANY($1) ORDER BY l.id FOR UPDATE OF l
            """, lots), logger: logger)
        for try await (id, session, unite, ouvert, verrouille, seq, hash) in rows.decode((UUID, String, String, Bool, Bool, Int64, String).self) {
            etats[id] = EtatLot(session: session, unite: unite, ouvert: ouvert, verrouille: verrouille, seq: seq, hash: hash)
        }
        // 2. Already handled?
        var dejaTraitees = Set<UUID>()
        let connues = try await connection.query(SQL.query(
            "SELECT id FROM \(database.table("commandes")) WHERE id = ANY($1)", commandes.map(\.id)), logger: logger)
        for try await id in connues.decode(UUID.self) { dejaTraitees.insert(id) }
        let nouvelles = commandes.filter { !dejaTraitees.contains($0.id) }
        guard !nouvelles.isEmpty else { return [] }

        // 4a. Current grades of every copy named (and whether it is in its lot).
        var lotsLignes: [UUID] = [], numeros: [String] = []
        for commande in nouvelles {
            for ligne in commande.lignes {
                lotsLignes.append(commande.lot)
                numeros.append(ligne.copie)
            }
        }
        var courantes: [Cle: Courante] = [:]
        courantes.reserveCapacity(numeros.count)
        // One index probe per line, whatever the tables' size: `LIMIT 1` keeps each LATERAL
        // subquery from being flattened into a join the planner would rather hash — for batches
        // of thousands of lines it hashed the whole of `copies` (every session's) per batch.
        let lues = try await connection.query(SQL.query(
            """
            SELECT x.lot, x.numero, c.present IS NOT NULL, n.note, n.revision
            FROM UNNEST($1::uuid[], $2::text[]) AS x(lot, numero)
            LEFT JOIN LATERAL (SELECT true AS present FROM \(database.table("copies")) c
                               WHERE c.lot = x.lot AND c.numero = x.numero LIMIT 1) c ON true
            LEFT JOIN LATERAL (SELECT n.note, n.revision FROM \(database.table("notes")) n
                               WHERE n.lot = x.lot AND n.numero = x.numero LIMIT 1) n ON true
            """, lotsLignes, numeros), logger: logger)
        for try await (lot, numero, dansLeLot, note, revision) in lues.decode((UUID, String, Bool, String?, Int64?).self) {
            courantes[Cle(lot: lot, numero: numero)] = Courante(note: note, revision: revision ?? 0, estDansLeLot: dansLeLot)
        }

        // 3. Refusals, then 4b. apply in revision order.
        var resultats: [UUID: ResultatCommande] = [:]
        var acceptees: [CommandeSaisie] = []
        for commande in nouvelles {
            let role = Role(rawValue: commande.role) ?? .service
            var refus: String?
            if let etat = etats[commande.lot] {
                refus = Habilitation.refusEtat(role: role, ouvert: etat.ouvert, verrouille: etat.verrouille)?.message
            } else {
                refus = "Ce lot n'existe pas (ou plus)."
            }
            if refus == nil, let hors = commande.lignes.first(where: { courantes[Cle(lot: commande.lot, numero: $0.copie)]?.estDansLeLot != true }) {
                refus = "La copie « \(hors.copie) » n'appartient pas à ce lot."
            }
            if let refus {
                resultats[commande.id] = ResultatCommande(commande: commande.id, statut: "refusee", appliquees: 0, ignorees: 0, message: refus)
            } else {
                acceptees.append(commande)
                resultats[commande.id] = ResultatCommande(commande: commande.id, statut: "enregistree", appliquees: 0, ignorees: 0)
            }
        }
        acceptees.sort { $0.revision < $1.revision }
        let instant = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var finales: [Cle: (note: String, commande: CommandeSaisie)] = [:]
        var audit: [ChaineAudit.Ligne] = []
        var evenements: [UUID: [NotesSaisies.NoteSaisie]] = [:]
        var sources: [UUID: Set<String>] = [:]
        for commande in acceptees {
            var appliquees = 0, ignorees = 0
            for ligne in commande.lignes {
                let cle = Cle(lot: commande.lot, numero: ligne.copie)
                guard var courante = courantes[cle], commande.revision > courante.revision else {
                    ignorees += 1
                    continue
                }
                appliquees += 1
                if courante.note != ligne.note, var etat = etats[commande.lot] {
                    etat.seq += 1
                    let entree = ChaineAudit.ligne(ChaineAudit.Ligne(
                        lot: commande.lot, seq: etat.seq, numero: ligne.copie, avant: courante.note, apres: ligne.note,
                        revision: commande.revision, par: commande.par, role: commande.role, source: commande.source,
                        commande: commande.id, instant: instant, precedent: etat.hash))
                    etat.hash = entree.empreinte
                    audit.append(entree)
                    etats[commande.lot] = etat
                    if let note = try? Note.parse(ligne.note, pas: .centieme) {
                        evenements[commande.lot, default: []].append(.init(
                            numeroAnonymat: ligne.copie, note: note, revision: commande.revision, commande: commande.id))
                        sources[commande.lot, default: []].insert(commande.source)
                    }
                }
                courante.note = ligne.note
                courante.revision = commande.revision
                courantes[cle] = courante
                finales[cle] = (ligne.note, commande)
            }
            resultats[commande.id]?.appliquees = appliquees
            resultats[commande.id]?.ignorees = ignorees
        }

        // 5. Writes.
        if !finales.isEmpty {
            let valeurs = Array(finales)
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("notes")) (lot, numero, note, revision, commande, par, source)
                SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::int8[], $5::uuid[], $6::text[], $7::text[])
                ON CONFLICT (lot, numero) DO UPDATE SET note = excluded.note, revision = excluded.revision,
                    commande = excluded.commande, par = excluded.par, source = excluded.source, modifie_le = now()
                WHERE notes.revision < excluded.revision
                """,
                valeurs.map(\.key.lot), valeurs.map(\.key.numero), valeurs.map(\.value.note), valeurs.map(\.value.commande.revision),
                valeurs.map(\.value.commande.id), valeurs.map(\.value.commande.par), valeurs.map(\.value.commande.source)),
                logger: logger)
        }
        if !audit.isEmpty {
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("audit"))
                    (lot, seq, numero, avant, apres, revision, par, role, source, commande, instant, precedent, empreinte)
                SELECT lot, seq, numero, NULLIF(avant, ''), apres, revision, par, role, source, commande, instant, precedent, empreinte
                FROM UNNEST($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[],
                    $8::text[], $9::text[], $10::uuid[], $11::int8[], $12::text[], $13::text[])
                    AS x(lot, seq, numero, avant, apres, revision, par, role, source, commande, instant, precedent, empreinte)
                """,
                audit.map(\.lot), audit.map(\.seq), audit.map(\.numero), audit.map { $0.avant ?? "" }, audit.map(\.apres),
                audit.map(\.revision), audit.map(\.par), audit.map(\.role), audit.map(\.source), audit.map(\.commande),
                audit.map(\.instant), audit.map(\.precedent), audit.map(\.empreinte)),
                logger: logger)
            let tetes = Set(audit.map(\.lot)).compactMap { id in etats[id].map { (id, $0) } }
            try await connection.query(SQL.query(
                """
                UPDATE \(l) l SET audit_seq = x.seq, audit_hash = x.hash
                FROM UNNEST($1::uuid[], $2::int8[], $3::text[]) AS x(id, seq, hash) WHERE l.id = x.id
                """, tetes.map(\.0), tetes.map(\.1.seq), tetes.map(\.1.hash)), logger: logger)
        }
        let tous = nouvelles.compactMap { resultats[$0.id] }
        let parId = Dictionary(nouvelles.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("commandes")) (id, lot, statut, appliquees, ignorees, message, par, source)
            SELECT id, lot, statut, appliquees, ignorees, NULLIF(message, ''), par, source
            FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::int4[], $5::int4[], $6::text[], $7::text[], $8::text[])
                AS x(id, lot, statut, appliquees, ignorees, message, par, source)
            """,
            tous.map(\.commande), tous.map { parId[$0.commande]!.lot }, tous.map(\.statut), tous.map { Int32($0.appliquees) },
            tous.map { Int32($0.ignorees) }, tous.map { $0.message ?? "" }, tous.map { parId[$0.commande]!.par }, tous.map { parId[$0.commande]!.source }),
            logger: logger)
        var entrees: [OutboxWriter.Entry] = []
        for (lot, notes) in evenements {
            guard let etat = etats[lot], let session = try? SessionCode(etat.session) else { continue }
            entrees.append(try outbox.entry(
                NotesSaisies(session: session, unite: etat.unite, lot: lot.uuidString.lowercased(),
                             sources: (sources[lot] ?? []).sorted(), notes: notes),
                aggregate: "lot:\(lot.uuidString.lowercased())"))
        }
        try await outbox.write(entrees, on: connection, logger: logger)
        try await Attente.annoncer(tous, on: connection, database: database)
        return tous
    }
}
