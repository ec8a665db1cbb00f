import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Storage

/// The embargo and its end. Nothing is public until the gestionnaire opens the session's
/// publication step; then, in the transaction that records the opening, every result is
/// reconciled against the signed PVs (`Rapprochement`) and, when nothing differs, released at
/// once: the public tables, the result messages for outside bodies (consented candidates only,
/// through the outbox) and the generation the gateway's public pages watch, all in one commit.
/// A difference blocks the release and is listed. Once released, a result revised by a reopened
/// jury is republished with its revision when its new PV comes, and the change is recorded.
struct Liberation: Sendable {
    let database: Database

    /// The écarts kept for the gestionnaire's page (their total is kept too).
    static let ecartsGardes = 500

    struct Bilan: Sendable {
        var ecarts: [Rapprochement.Ecart]
        /// Results made public by this verification (first release or new revision).
        var publies: Int
        var revises: Int
    }

    private var logger: Logger { database.logger }

    /// Reconciles the session and, when its publication step is open and nothing differs,
    /// releases what is not public yet. Runs in the caller's transaction (a consumer's, or the
    /// gestionnaire's request's); one at a time per session.
    func verifier(_ session: SessionCode, on connection: PostgresConnection, outbox: OutboxWriter) async throws -> Bilan {
        try await connection.query(SQL.query(
            "SELECT pg_advisory_xact_lock(hashtext($1))::text", "publication:\(session.value)"), logger: logger)
        let resultats = try await resultats(session, on: connection)
        let proces = try await proces(session, on: connection)
        let sansResultat = try await sansResultat(session, on: connection)
        let ecarts = Rapprochement.ecarts(resultats: resultats, proces: proces, sansResultat: sansResultat)
        let gardes = String(decoding: try JSONEncoder().encode(Array(ecarts.prefix(Self.ecartsGardes))), as: UTF8.self)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("publications")) (session, verifiee_le, ecarts, ecarts_total, resultats, admis)
            VALUES ($1, now(), $2::jsonb, $3, $4, $5)
            ON CONFLICT (session) DO UPDATE SET verifiee_le = excluded.verifiee_le, ecarts = excluded.ecarts,
                ecarts_total = excluded.ecarts_total, resultats = excluded.resultats, admis = excluded.admis
            """,
            session.value, gardes, ecarts.count, resultats.count, resultats.filter { $0.decision == "admis" }.count),
            logger: logger)

        let ouverte = try await etapeOuverte(session, on: connection)
        guard ecarts.isEmpty else {
            logger.warning("publication blocked by the reconciliation", metadata: [
                "session": "\(session)", "ecarts": "\(ecarts.count)", "premier": "\(ecarts[0].message)"])
            return Bilan(ecarts: ecarts, publies: 0, revises: 0)
        }
        guard ouverte else { return Bilan(ecarts: [], publies: 0, revises: 0) }
        return try await liberer(session, on: connection, outbox: outbox)
    }

    private func liberer(_ session: SessionCode, on connection: PostgresConnection, outbox: OutboxWriter) async throws -> Bilan {
        let revises = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("revisions"))
                (session, candidature, numero, jury, revision_avant, decision_avant, revision, decision)
            SELECT r.session, r.candidature, r.numero, r.jury, p.revision, p.decision, r.revision, r.decision
            FROM \(database.table("resultats")) r JOIN \(database.table("resultats_publies")) p USING (candidature)
            WHERE r.session = $1 AND p.revision < r.revision
            RETURNING candidature
            """, session.value), logger: logger)
        var nombreRevises = 0
        for try await _ in revises.decode(UUID.self) { nombreRevises += 1 }

        let publies = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("resultats_publies")) (candidature, session, revision, decision, contenu, publie_le)
            SELECT candidature, session, revision, decision, contenu, now() FROM \(database.table("resultats")) WHERE session = $1
            ON CONFLICT (candidature) DO UPDATE SET revision = excluded.revision, decision = excluded.decision,
                contenu = excluded.contenu, revise_le = now()
            WHERE resultats_publies.revision < excluded.revision
            RETURNING candidature
            """, session.value), logger: logger)
        var candidatures: [UUID] = []
        for try await id in publies.decode(UUID.self) { candidatures.append(id) }
        guard !candidatures.isEmpty else { return Bilan(ecarts: [], publies: 0, revises: 0) }

        let messages = try await messages(session, candidatures: candidatures, on: connection)
        try await outbox.write(try Self.entrees(messages, outbox: outbox), on: connection, logger: logger)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("publications")) SET publiee_le = COALESCE(publiee_le, now()), version = version + 1 WHERE session = $1",
            session.value), logger: logger)
        try await connection.query(SQL.query("UPDATE \(database.table("generation")) SET valeur = valeur + 1"), logger: logger)
        logger.notice("results released", metadata: [
            "session": "\(session)", "publies": "\(candidatures.count)", "revises": "\(nombreRevises)",
            "messages": "\(messages.count)"])
        return Bilan(ecarts: [], publies: candidatures.count, revises: nombreRevises)
    }

    /// The outbox entries of result messages: on `cyclades.resultats`, by académie, spécialité and
    /// decision, ordered per candidate.
    static func entrees(_ messages: [ResultatPublie], outbox: OutboxWriter) throws -> [OutboxWriter.Entry] {
        try messages.map { message in
            try outbox.entry(message, aggregate: "resultat:\(message.session.value):\(message.numero)",
                             exchange: Topology.resultats, routingKey: message.routingKey)
        }
    }

    /// The result messages for outside bodies: consented candidates only, never a grade.
    func messages(_ session: SessionCode, candidatures: [UUID]?, on connection: PostgresConnection) async throws -> [ResultatPublie] {
        let rows = try await connection.query(SQL.query(
            """
            SELECT s.academie, r.specialite, c.numero, c.nom_famille, c.nom_usage, c.prenoms, p.decision, c.etablissement_uai,
                COALESCE((p.contenu->>'sessionDeRemplacement')::boolean, false), p.revision, COALESCE(p.revise_le, p.publie_le)
            FROM \(database.table("resultats_publies")) p
            JOIN \(database.table("resultats")) r USING (candidature)
            JOIN \(database.table("candidatures")) c ON c.id = p.candidature
            JOIN \(database.table("sessions")) s ON s.code = p.session
            WHERE p.session = $1 AND ($2::uuid[] IS NULL OR p.candidature = ANY($2)) AND c.consentement AND NOT c.annulee
            ORDER BY c.numero
            """, session.value, candidatures), logger: logger)
        var messages: [ResultatPublie] = []
        for try await (academie, specialite, numero, nom, usage, prenoms, decision, uai, remplacement, revision, le)
            in rows.decode((String, String, String, String, String?, String, String, String?, Bool, Int, Date).self) {
            messages.append(ResultatPublie(
                session: session, academie: academie, specialite: specialite, numero: numero, nomFamille: nom, nomUsage: usage,
                prenoms: prenoms, decision: decision, etablissement: uai.flatMap { try? UAI($0) },
                sessionDeRemplacement: remplacement, revision: revision, publieLe: le))
        }
        return messages
    }

    // MARK: Reads (in the transaction)

    private func resultats(_ session: SessionCode, on connection: PostgresConnection) async throws -> [Rapprochement.Resultat] {
        let rows = try await connection.query(SQL.query(
            "SELECT candidature, numero, jury, decision, revision, notes_signees FROM \(database.table("resultats")) WHERE session = $1",
            session.value), logger: logger)
        var resultats: [Rapprochement.Resultat] = []
        for try await (candidature, numero, jury, decision, revision, notes) in rows.decode((UUID, String, String, String, Int, String).self) {
            resultats.append(.init(candidature: candidature, numero: numero, jury: jury, decision: decision, revision: revision, notes: notes))
        }
        return resultats
    }

    private func proces(_ session: SessionCode, on connection: PostgresConnection) async throws -> [Rapprochement.ProcesVerbal] {
        let rows = try await connection.query(SQL.query(
            "SELECT jury, version, candidats, admis, lignes::text FROM \(database.table("proces_verbaux")) WHERE session = $1",
            session.value), logger: logger)
        let decoder = MessageCoding.decoder()
        var proces: [Rapprochement.ProcesVerbal] = []
        for try await (jury, version, candidats, admis, lignes) in rows.decode((String, Int, Int, Int, String).self) {
            proces.append(.init(jury: jury, version: version, candidats: candidats, admis: admis,
                                lignes: try decoder.decode([JuryClos.Arrete].self, from: Data(lignes.utf8))))
        }
        return proces
    }

    private func sansResultat(_ session: SessionCode, on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query(SQL.query(
            """
            SELECT c.numero FROM \(database.table("candidatures")) c
            WHERE c.session = $1 AND NOT c.annulee
              AND NOT EXISTS (SELECT 1 FROM \(database.table("resultats")) r WHERE r.candidature = c.id)
            """, session.value), logger: logger)
        var numeros: [String] = []
        for try await numero in rows.decode(String.self) { numeros.append(numero) }
        return numeros
    }

    /// Whether the session's publication step is open, as this transaction sees it.
    func etapeOuverte(_ session: SessionCode, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(SQL.query(
            "SELECT $2 = ANY(services) FROM \(database.table("sessions")) WHERE code = $1",
            session.value, ServiceEtape.publication.rawValue), logger: logger)
        for try await ouverte in rows.decode(Bool.self) { return ouverte }
        return false
    }
}
