import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Referentiel
import Storage

/// Publication's copy of the other steps, kept from their events in its schema: the
/// réglementation (shared `ReferentielReglementation`: sessions, the publication step open),
/// the candidatures (name, birth date, établissement, consent), the results and the signed PVs,
/// the académie's resources printed on documents (logo, signature).
/// Each handler writes in the consumer's transaction (with the inbox row): a redelivery changes
/// nothing twice, an older revision arriving late changes nothing at all.
///
/// The release is driven from here: when the publication step opens, and, once open, when a PV
/// or a result comes (a reopened jury closing again), `Liberation` reconciles and releases in the
/// same transaction.
struct CopieRepository: Sendable {
    let database: Database
    let referentiel: ReferentielReglementation
    let liberation: Liberation

    private var logger: Logger { database.logger }

    func handlers() -> MessageHandlers {
        var handlers = referentiel.handlers { changement, context in
            if case .serviceOuvert(let ouvert) = changement, ouvert.service == .publication {
                _ = try await liberation.verifier(ouvert.session, on: context.connection, outbox: context.outbox)
            }
        }
        // A session's candidatures and results come by the thousand: one statement per batch.
        handlers.onBatch(CandidatureValidee.self) { envelopes, context in
            try await enregistrer(envelopes.map(\.payload.candidature), on: context.connection)
        }
        handlers.onBatch(CandidatureModifiee.self) { envelopes, context in
            try await enregistrer(envelopes.map(\.payload.candidature), on: context.connection)
        }
        handlers.on(CandidatureAnnulee.self) { envelope, context in
            try await context.connection.query(SQL.query(
                "UPDATE \(database.table("candidatures")) SET annulee = true, revision = GREATEST(revision, $2) WHERE id = $1",
                envelope.payload.id, envelope.payload.revision), logger: logger)
        }
        handlers.onBatch(ResultatArrete.self) { envelopes, context in
            let sessions = try await enregistrer(envelopes.map { ($0.payload, $0.occurredAt) }, on: context.connection)
            // Before the release nothing is checked per result (the step's opening checks them
            // all); after it, a result that came after its PV (a redelivery) is released here.
            for session in sessions where try await liberation.etapeOuverte(session, on: context.connection) {
                _ = try await liberation.verifier(session, on: context.connection, outbox: context.outbox)
            }
        }
        handlers.onBatch(CandidatAffecte.self) { envelopes, context in
            try await enregistrer(envelopes.map(\.payload), on: context.connection)
        }
        // The documents space: other services' documents for a candidate.
        let espace = EspaceRepository(database: database)
        handlers.on(ConvocationGeneree.self) { envelope, context in
            try await espace.publier(envelope.payload, le: envelope.occurredAt, on: context.connection, outbox: context.outbox)
        }
        handlers.on(AmenagementDecide.self) { envelope, context in
            try await espace.publier(envelope.payload, le: envelope.occurredAt, on: context.connection, outbox: context.outbox)
        }
        handlers.on(RessourceDeposee.self) { envelope, context in
            let r = envelope.payload
            try await context.connection.query(SQL.query(
                """
                INSERT INTO \(database.table("ressources")) (academie, code, version, media_type, contenu, empreinte)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (academie, code) DO UPDATE SET version = excluded.version, media_type = excluded.media_type,
                    contenu = excluded.contenu, empreinte = excluded.empreinte
                WHERE ressources.version < excluded.version
                """, r.academie, r.code, r.version, r.mediaType, ByteBuffer(data: r.contenu), r.empreinte), logger: logger)
        }
        handlers.on(JuryClos.self) { envelope, context in
            try await enregistrer(envelope.payload, le: envelope.occurredAt, on: context.connection)
            if try await liberation.etapeOuverte(envelope.payload.session, on: context.connection) {
                _ = try await liberation.verifier(envelope.payload.session, on: context.connection, outbox: context.outbox)
            }
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
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("candidatures"))
                (id, session, numero, nom_famille, nom_usage, prenoms, date_naissance, specialite, etablissement_uai,
                 etablissement_nom, consentement, revision)
            SELECT c.id, c.session, c.numero, c.nom, NULLIF(c.usage, ''), c.prenoms, c.naissance::date, c.specialite,
                NULLIF(c.uai, ''), NULLIF(c.etablissement, ''), c.consentement, c.revision
            FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                        $10::text[], $11::bool[], $12::int4[])
                AS c (id, session, numero, nom, usage, prenoms, naissance, specialite, uai, etablissement, consentement, revision)
            ON CONFLICT (id) DO UPDATE SET numero = excluded.numero, nom_famille = excluded.nom_famille,
                nom_usage = excluded.nom_usage, prenoms = excluded.prenoms, date_naissance = excluded.date_naissance,
                specialite = excluded.specialite, etablissement_uai = excluded.etablissement_uai,
                etablissement_nom = excluded.etablissement_nom, consentement = excluded.consentement, revision = excluded.revision
            WHERE candidatures.revision < excluded.revision AND NOT candidatures.annulee
            """,
            lot.map(\.id), lot.map(\.session.value), lot.map(\.numero), lot.map(\.candidat.nomFamille),
            lot.map { $0.candidat.nomUsage ?? "" }, lot.map(\.candidat.prenoms), lot.map(\.candidat.dateNaissance),
            lot.map(\.specialite), lot.map { $0.etablissement?.uai.value ?? "" }, lot.map { $0.etablissement?.nom ?? "" },
            lot.map(\.consentementPublication), lot.map { Int32(clamping: $0.revision) }),
            logger: logger)
    }

    /// Keeps each candidate's highest revision; returns the sessions the batch touched.
    func enregistrer(_ resultats: [(ResultatArrete, Date)], on connection: PostgresConnection) async throws -> [SessionCode] {
        var derniers: [UUID: (ResultatArrete, Date)] = [:]
        for (resultat, le) in resultats where resultat.revision > (derniers[resultat.candidature]?.0.revision ?? Int.min) {
            derniers[resultat.candidature] = (resultat, le)
        }
        let lot = derniers.values.sorted { $0.0.candidature.uuidString < $1.0.candidature.uuidString }
        let sessions = Set(lot.map(\.0.session.value)).sorted()
        for session in sessions { try await referentiel.assurerSession(try SessionCode(session), on: connection) }
        let encoder = MessageCoding.encoder()
        let contenus = try lot.map { String(decoding: try encoder.encode($0.0), as: UTF8.self) }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("resultats"))
                (candidature, session, numero, specialite, jury, decision, revision, notes_signees, contenu, arrete_le)
            SELECT r.candidature, r.session, r.numero, r.specialite, r.jury, r.decision, r.revision, r.notes, r.contenu::jsonb, r.le
            FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int4[], $8::text[], $9::text[],
                        $10::timestamptz[])
                AS r (candidature, session, numero, specialite, jury, decision, revision, notes, contenu, le)
            ON CONFLICT (candidature) DO UPDATE SET session = excluded.session, numero = excluded.numero,
                specialite = excluded.specialite, jury = excluded.jury, decision = excluded.decision, revision = excluded.revision,
                notes_signees = excluded.notes_signees, contenu = excluded.contenu, arrete_le = excluded.arrete_le
            WHERE resultats.revision < excluded.revision
            """,
            lot.map(\.0.candidature), lot.map(\.0.session.value), lot.map(\.0.numero), lot.map(\.0.specialite), lot.map(\.0.jury),
            lot.map(\.0.decision), lot.map { Int32(clamping: $0.0.revision) }, lot.map(\.0.notesSignees), contenus, lot.map(\.1)),
            logger: logger)
        return try sessions.map { try SessionCode($0) }
    }

    /// Keeps each unit's centre, highest revision (of a batch: the highest of the batch).
    func enregistrer(_ affectations: [CandidatAffecte], on connection: PostgresConnection) async throws {
        var dernieres: [String: CandidatAffecte] = [:]
        for a in affectations where a.revision > (dernieres["\(a.candidature)|\(a.unite)"]?.revision ?? Int.min) {
            dernieres["\(a.candidature)|\(a.unite)"] = a
        }
        let lot = dernieres.values.sorted { ($0.candidature.uuidString, $0.unite) < ($1.candidature.uuidString, $1.unite) }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("affectations")) (candidature, unite, session, centre, revision)
            SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int4[])
            ON CONFLICT (candidature, unite) DO UPDATE SET session = excluded.session, centre = excluded.centre, revision = excluded.revision
            WHERE affectations.revision < excluded.revision
            """,
            lot.map(\.candidature), lot.map(\.unite), lot.map(\.session.value), lot.map(\.centre.value),
            lot.map { Int32(clamping: $0.revision) }), logger: logger)
    }

    /// Keeps each jury's latest PV version.
    func enregistrer(_ pv: JuryClos, le: Date, on connection: PostgresConnection) async throws {
        try await referentiel.assurerSession(pv.session, on: connection)
        let lignes = String(decoding: try MessageCoding.encoder().encode(pv.resultats), as: UTF8.self)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("proces_verbaux"))
                (session, jury, specialite, version, candidats, admis, clos_par, clos_le, lignes)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
            ON CONFLICT (session, jury) DO UPDATE SET specialite = excluded.specialite, version = excluded.version,
                candidats = excluded.candidats, admis = excluded.admis, clos_par = excluded.clos_par, clos_le = excluded.clos_le,
                lignes = excluded.lignes
            WHERE proces_verbaux.version < excluded.version
            """,
            pv.session.value, pv.jury, pv.specialite, pv.versionPV, pv.candidats, pv.admis, pv.closPar, le, lignes),
            logger: logger)
    }
}
