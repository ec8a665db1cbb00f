import Contracts
import Domain
import Foundation
import PostgresNIO
import Storage

/// Evaluation's copy of réglementation (sessions, services open, centres) and organisation
/// (units, copies by numéro d'anonymat, absences). Written by the consumer only.
struct ReferentielRepository: Sendable {
    let database: Database

    private var logger: Logger { database.logger }

    func enregistrer(_ session: SessionOuverte, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("sessions")) (code, academie, libelle) VALUES ($1, $2, $3)
            ON CONFLICT (code) DO UPDATE SET academie = excluded.academie, libelle = excluded.libelle
            """, session.session.value, session.academie, session.libelle), logger: logger)
    }

    func clore(_ cloture: SessionClose, on connection: PostgresConnection) async throws {
        try await assurerSession(cloture.session, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET close = true, services = '{}' WHERE code = $1", cloture.session.value),
            logger: logger)
    }

    func ouvrir(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET services = array_append(array_remove(services, $2), $2) WHERE code = $1",
            session.value, service.rawValue), logger: logger)
    }

    func fermer(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET services = array_remove(services, $2) WHERE code = $1",
            session.value, service.rawValue), logger: logger)
    }

    /// Keeps the highest revision of the centre.
    func enregistrer(_ centre: CentreEtat, on connection: PostgresConnection) async throws {
        try await assurerSession(centre.session, on: connection)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("centres")) (session, uai, nom, commune, roles, revision)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (session, uai) DO UPDATE SET nom = excluded.nom, commune = excluded.commune,
                roles = excluded.roles, revision = excluded.revision, retire = false
            WHERE centres.revision < excluded.revision
            """,
            centre.session.value, centre.uai.value, centre.nom, centre.commune, centre.roles.map(\.rawValue), centre.revision),
            logger: logger)
    }

    func retirer(_ retrait: CentreRetire, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "UPDATE \(database.table("centres")) SET retire = true WHERE session = $1 AND uai = $2",
            retrait.session.value, retrait.uai.value), logger: logger)
    }

    /// The whole current list of copies of one unit in one centre: new copies are added, copies
    /// no longer listed are marked withdrawn (a copy already in a lot stays in it). An older
    /// revision arriving late changes nothing.
    func enregistrer(_ anonymat: AnonymatAttribue, on connection: PostgresConnection) async throws {
        try await assurerSession(anonymat.session, on: connection)
        let session = anonymat.session.value
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("unites")) (session, unite, specialite, epreuve, forme, mode, pas)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (session, unite) DO UPDATE SET specialite = excluded.specialite, epreuve = excluded.epreuve,
                forme = excluded.forme, mode = excluded.mode, pas = excluded.pas
            """,
            session, anonymat.unite, anonymat.specialite, anonymat.epreuve, anonymat.forme, anonymat.mode.rawValue,
            anonymat.pasCentiemes), logger: logger)
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("listes_copies")) (session, unite, centre, debut, revision) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (session, unite, centre) DO UPDATE SET debut = excluded.debut, revision = excluded.revision
            WHERE listes_copies.revision < excluded.revision
            RETURNING revision
            """, session, anonymat.unite, anonymat.centre.value, anonymat.debut, anonymat.revision), logger: logger)
        var appliquee = false
        for try await _ in rows.decode(Int.self) { appliquee = true }
        guard appliquee else { return }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("copies")) (session, unite, numero, centre, liste_revision)
            SELECT $1, $2, numero, $3, $5 FROM UNNEST($4::text[]) AS numero
            ON CONFLICT (session, unite, numero) DO UPDATE SET retiree = false, centre = excluded.centre,
                liste_revision = excluded.liste_revision
            """, session, anonymat.unite, anonymat.centre.value, anonymat.copies, anonymat.revision), logger: logger)
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("copies")) SET retiree = true
            WHERE session = $1 AND unite = $2 AND centre = $3 AND liste_revision < $4 AND NOT retiree
            """, session, anonymat.unite, anonymat.centre.value, anonymat.revision), logger: logger)
    }

    /// An absence (or its withdrawal) of the highest revision.
    func enregistrer(_ absence: AbsenceConstatee, on connection: PostgresConnection) async throws {
        let statut: String? = absence.statut == .present ? nil : absence.statut.rawValue
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("copies")) SET absence = $4, absence_revision = $5
            WHERE session = $1 AND unite = $2 AND numero = $3 AND absence_revision < $5
            """, absence.session.value, absence.unite, absence.numeroAnonymat, statut, absence.revision), logger: logger)
    }

    /// Events may come in any order after a redelivery: the session row exists before anything
    /// refers to it (its académie and label filled in when its own event comes).
    private func assurerSession(_ session: SessionCode, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "INSERT INTO \(database.table("sessions")) (code, academie, libelle) VALUES ($1, '', $2) ON CONFLICT (code) DO NOTHING",
            session.value, session.libelle), logger: logger)
    }
}
