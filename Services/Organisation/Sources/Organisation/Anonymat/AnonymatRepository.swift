import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// Numéros d'anonymat: attribution (set-based, retried on the rare collision), the copy lists
/// sent to evaluation (`organisation.anonymat.attribue`, by unit and centre, with no identity),
/// and the lifting of anonymity for deliberation once a unit's grades are consolidated.
struct AnonymatRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    var logger: Logger { database.logger }

    /// Gives a number to every placed épreuve-candidat of the session that has none. Returns how
    /// many were given. The caller runs `synchroniser` (through `Suites`) in the same transaction.
    func attribuer(session: String, on connection: PostgresConnection) async throws -> Int {
        try await connection.query(SQL.query("SELECT pg_advisory_xact_lock(hashtext('organisation.anonymat.' || $1))", session), logger: logger)
        let rows = try await connection.query(SQL.query(
            """
            SELECT f.candidature, f.unite FROM \(database.table("affectations")) f
            JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            WHERE f.session = $1 AND f.centre IS NOT NULL AND NOT c.annulee
              AND NOT EXISTS (SELECT 1 FROM \(database.table("anonymats")) a WHERE a.candidature = f.candidature AND a.unite = f.unite)
            """, session), logger: logger)
        var restantes: [(UUID, String)] = []
        for try await (id, unite) in rows.decode((UUID, String).self) { restantes.append((id, unite)) }
        var attribues = 0
        var essais = 0
        while !restantes.isEmpty {
            essais += 1
            guard essais <= 20 else { throw ServiceError(.internalServerError, code: "anonymat.collisions", message: "Trop de collisions de numéros d'anonymat.") }
            var numeros: [String] = []
            var tires = Set<String>()
            for _ in restantes {
                var numero = NumeroAnonymat.tirer()
                while tires.contains(numero) { numero = NumeroAnonymat.tirer() }
                tires.insert(numero)
                numeros.append(numero)
            }
            let inseres = try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("anonymats")) (candidature, unite, session, numero)
                SELECT id, unite, $1, numero FROM UNNEST($2::uuid[], $3::text[], $4::text[]) AS x (id, unite, numero)
                ON CONFLICT DO NOTHING RETURNING candidature, unite
                """, session, restantes.map(\.0), restantes.map(\.1), numeros), logger: logger)
            var faits = Set<String>()
            for try await (id, unite) in inseres.decode((UUID, String).self) { faits.insert("\(id.uuidString)/\(unite)") }
            attribues += faits.count
            restantes.removeAll { faits.contains("\($0.0.uuidString)/\($0.1)") }
        }
        return attribues
    }

    /// Sends evaluation the copy list of every (unit, centre) whose numbers changed since the last
    /// list sent (a list that became empty is sent empty). Returns how many lists were sent.
    func synchroniser(session: String, unites: [String]? = nil, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(SQL.query(
            """
            WITH actuels AS (
                SELECT f.specialite, f.unite, f.centre, array_agg(a.numero ORDER BY a.numero) AS copies, min(f.debut) AS debut,
                       min(f.epreuve) AS epreuve, min(f.mode) AS mode
                FROM \(database.table("anonymats")) a
                JOIN \(database.table("affectations")) f ON f.candidature = a.candidature AND f.unite = a.unite
                WHERE a.session = $1 AND f.centre IS NOT NULL AND ($2::text[] IS NULL OR f.unite = ANY($2))
                GROUP BY f.specialite, f.unite, f.centre
            ), envoyes AS (SELECT * FROM \(database.table("lots_anonymat")) WHERE session = $1 AND ($2::text[] IS NULL OR unite = ANY($2)))
            SELECT COALESCE(x.specialite, e.specialite), COALESCE(x.unite, e.unite), COALESCE(x.centre, e.centre),
                   COALESCE(x.copies, '{}'), x.debut, COALESCE(x.epreuve, u.epreuve, ''), COALESCE(x.mode, 'ponctuel'),
                   COALESCE(u.forme, 'ecrite'), COALESCE(CASE WHEN COALESCE(x.mode, 'ponctuel') = 'ccf' THEN u.pas_ccf_centiemes ELSE u.pas_centiemes END, 25),
                   COALESCE(e.revision, 0) + 1
            FROM actuels x FULL JOIN envoyes e ON e.specialite = x.specialite AND e.unite = x.unite AND e.centre = x.centre
            LEFT JOIN \(database.table("unites")) u ON u.session = $1 AND u.specialite = COALESCE(x.specialite, e.specialite)
                AND u.unite = COALESCE(x.unite, e.unite)
            WHERE e.copies IS DISTINCT FROM COALESCE(x.copies, '{}')
            """, session, unites), logger: logger)
        let code = try SessionCode(session)
        var specialites: [String] = [], unites: [String] = [], centres: [String] = [], listes: [String] = [], revisions: [Int] = []
        var entries: [OutboxWriter.Entry] = []
        for try await (specialite, unite, centre, copies, debut, epreuve, mode, forme, pas, revision) in rows.decode(
            (String, String, String, [String], String?, String, String, String, Int, Int).self)
        {
            guard let uai = try? UAI(centre) else { continue }
            specialites.append(specialite); unites.append(unite); centres.append(centre); revisions.append(revision)
            listes.append(copies.joined(separator: ","))
            entries.append(try outbox.entry(
                AnonymatAttribue(
                    session: code, specialite: specialite, epreuve: epreuve, unite: unite, forme: forme,
                    mode: ModeEvaluationAffectation(rawValue: mode) ?? .ponctuel, centre: uai, debut: debut, pasCentiemes: pas,
                    copies: copies, revision: revision),
                // What the copies are about, never who: no candidature in the outbox row either.
                aggregate: "\(session)/\(specialite)/\(unite)/\(centre)"))
        }
        guard !entries.isEmpty else { return 0 }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("lots_anonymat")) (session, specialite, unite, centre, copies, revision)
            SELECT $1, s, u, c, CASE WHEN l = '' THEN '{}'::text[] ELSE string_to_array(l, ',') END, r
            FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::int4[]) AS x (s, u, c, l, r)
            ON CONFLICT (session, specialite, unite, centre) DO UPDATE SET copies = excluded.copies, revision = excluded.revision
            """, session, specialites, unites, centres, listes, revisions), logger: logger)
        for lot in stride(from: 0, to: entries.count, by: 5000) {
            try await outbox.write(Array(entries[lot..<min(lot + 5000, entries.count)]), on: connection, logger: logger)
        }
        return entries.count
    }

    /// Evaluation consolidated a unit's grades: deliberation gets the link copy ↔ candidate for
    /// the copies of that unit (`organisation.anonymat.leve`). A redelivery sends nothing twice.
    func lever(_ notes: NotesConsolidees, on connection: PostgresConnection) async throws {
        let numeros = notes.notes.map(\.numeroAnonymat)
        let rows = try await connection.query(SQL.query(
            """
            UPDATE \(database.table("anonymats")) a SET leve_le = now()
            FROM \(database.table("affectations")) f, \(database.table("candidatures")) c
            WHERE a.session = $1 AND a.unite = $2 AND a.numero = ANY($3) AND a.leve_le IS NULL
              AND f.candidature = a.candidature AND f.unite = a.unite AND f.specialite = $4 AND c.id = a.candidature
            RETURNING a.numero, c.id, c.numero
            """, notes.session.value, notes.unite, numeros, notes.specialite), logger: logger)
        var correspondances: [AnonymatLeve.Correspondance] = []
        for try await (numero, id, numeroCandidat) in rows.decode((String, UUID, String).self) {
            correspondances.append(.init(numeroAnonymat: numero, candidature: id, numeroCandidat: numeroCandidat))
        }
        guard !correspondances.isEmpty else { return }
        try await outbox.write(
            AnonymatLeve(session: notes.session, unite: notes.unite, correspondances: correspondances.sorted { $0.numeroAnonymat < $1.numeroAnonymat }),
            aggregate: "\(notes.session.value)/\(notes.specialite)/\(notes.unite)", on: connection, logger: logger)
    }

    /// The numéro of one épreuve-candidat, if given.
    func numero(candidature: UUID, unite: String, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query(SQL.query(
            "SELECT numero FROM \(database.table("anonymats")) WHERE candidature = $1 AND unite = $2", candidature, unite), logger: logger)
        for try await numero in rows.decode(String.self) { return numero }
        return nil
    }
}
