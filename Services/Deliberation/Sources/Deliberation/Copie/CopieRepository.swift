import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Referentiel
import Storage

/// Délibération's copy of the other steps, kept from their events in its schema: the
/// réglementation (shared `ReferentielReglementation`), the validated candidatures, the
/// consolidated grades by numéro d'anonymat and the link anonymat ↔ candidature. Each handler
/// writes in the consumer's transaction (with the inbox row): a redelivery changes nothing twice,
/// a late older event changes nothing at all.
struct CopieRepository: Sendable {
    let database: Database
    let referentiel: ReferentielReglementation

    init(database: Database) {
        self.database = database
        referentiel = ReferentielReglementation(database: database)
    }

    private var logger: Logger { database.logger }

    func handlers() -> MessageHandlers {
        var handlers = referentiel.handlers { changement, context in
            // The publication step opened (the dashboard says so; Publication releases the results).
            if case .serviceOuvert(let ouvert) = changement, ouvert.service == .publication {
                try await context.connection.query(SQL.query(
                    "UPDATE \(database.table("sessions")) SET resultats_publies_le = COALESCE(resultats_publies_le, now()) WHERE code = $1",
                    ouvert.session.value), logger: logger)
            }
        }
        // A session's candidatures come by the thousand: one statement per delivery batch.
        handlers.onBatch(CandidatureValidee.self) { envelopes, context in
            try await enregistrer(envelopes.map(\.payload.candidature), on: context.connection)
        }
        handlers.onBatch(CandidatureModifiee.self) { envelopes, context in
            try await enregistrer(envelopes.map(\.payload.candidature), on: context.connection)
        }
        handlers.on(CandidatureAnnulee.self) { envelope, context in
            try await annuler(envelope.payload, on: context.connection)
        }
        handlers.on(NotesConsolidees.self) { envelope, context in
            try await enregistrer(envelope.payload, le: envelope.occurredAt, on: context.connection)
        }
        handlers.on(AnonymatLeve.self) { envelope, context in
            try await enregistrer(envelope.payload, on: context.connection)
        }
        return handlers
    }

    // MARK: Writes (inside the consumer's transaction)

    /// Keeps the highest revision of each candidature (of a batch: the highest of the batch).
    func enregistrer(_ candidatures: [CandidatureEtat], on connection: PostgresConnection) async throws {
        var dernieres: [UUID: CandidatureEtat] = [:]
        for candidature in candidatures where candidature.revision > (dernieres[candidature.id]?.revision ?? Int.min) {
            dernieres[candidature.id] = candidature
        }
        let lot = dernieres.values.sorted { $0.id.uuidString < $1.id.uuidString }
        for session in Set(lot.map(\.session.value)).sorted() {
            try await referentiel.assurerSession(try SessionCode(session), on: connection)
        }
        let encoder = MessageCoding.encoder()
        let unites = try lot.map { String(decoding: try encoder.encode($0.unites), as: UTF8.self) }
        let identites = try lot.map { String(decoding: try encoder.encode($0.candidat), as: UTF8.self) }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("candidatures"))
                (id, session, numero, specialite, forme, categorie, etablissement, unites, identite, revision)
            SELECT c.id, c.session, c.numero, c.specialite, c.forme, c.categorie, NULLIF(c.etablissement, ''), c.unites::jsonb,
                c.identite::jsonb, c.revision
            FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int4[])
                AS c (id, session, numero, specialite, forme, categorie, etablissement, unites, identite, revision)
            ON CONFLICT (id) DO UPDATE SET numero = excluded.numero, specialite = excluded.specialite, forme = excluded.forme,
                categorie = excluded.categorie, etablissement = excluded.etablissement, unites = excluded.unites,
                identite = excluded.identite, revision = excluded.revision
            WHERE candidatures.revision < excluded.revision AND NOT candidatures.annulee
            """,
            lot.map(\.id), lot.map(\.session.value), lot.map(\.numero), lot.map(\.specialite), lot.map(\.forme.rawValue),
            lot.map(\.categorieReglementaire.rawValue), lot.map { $0.etablissement?.uai.value ?? "" }, unites, identites,
            lot.map { Int32(clamping: $0.revision) }),
            logger: logger)
    }

    /// A cancelled candidature leaves the deliberation, whatever arrives after it.
    func annuler(_ annulation: CandidatureAnnulee, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "UPDATE \(database.table("candidatures")) SET annulee = true, revision = GREATEST(revision, $2) WHERE id = $1",
            annulation.id, annulation.revision), logger: logger)
    }

    /// The unit's grades replace those of an earlier consolidation (a reopened lot locked again);
    /// an older consolidation arriving late changes nothing.
    func enregistrer(_ notes: NotesConsolidees, le: Date, on connection: PostgresConnection) async throws {
        try await referentiel.assurerSession(notes.session, on: connection)
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("unites_consolidees")) (session, unite, specialite, epreuve, consolidee_le)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (session, unite) DO UPDATE SET specialite = excluded.specialite, epreuve = excluded.epreuve,
                consolidee_le = excluded.consolidee_le
            WHERE unites_consolidees.consolidee_le < excluded.consolidee_le
            RETURNING unite
            """, notes.session.value, notes.unite, notes.specialite, notes.epreuve, le), logger: logger)
        var nouvelle = false
        for try await _ in rows.decode(String.self) { nouvelle = true }
        guard nouvelle else {
            logger.info("older consolidation ignored", metadata: ["session": "\(notes.session)", "unite": "\(notes.unite)"])
            return
        }
        try await connection.query(SQL.query(
            "DELETE FROM \(database.table("notes")) WHERE session = $1 AND unite = $2", notes.session.value, notes.unite),
            logger: logger)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("notes")) (session, unite, numero_anonymat, note)
            SELECT $1, $2, numero, note FROM UNNEST($3::text[], $4::text[]) AS n (numero, note)
            ON CONFLICT DO NOTHING
            """,
            notes.session.value, notes.unite, notes.notes.map(\.numeroAnonymat), notes.notes.map(\.note.canonique)),
            logger: logger)
    }

    func enregistrer(_ leve: AnonymatLeve, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("anonymats")) (session, unite, numero_anonymat, candidature)
            SELECT $1, $2, numero, candidature FROM UNNEST($3::text[], $4::uuid[]) AS a (numero, candidature)
            ON CONFLICT (session, unite, numero_anonymat) DO UPDATE SET candidature = excluded.candidature
            """,
            leve.session.value, leve.unite, leve.correspondances.map(\.numeroAnonymat), leve.correspondances.map(\.candidature)),
            logger: logger)
    }
}
