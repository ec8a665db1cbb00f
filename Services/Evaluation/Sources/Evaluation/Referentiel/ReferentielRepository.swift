import Contracts
import Domain
import Foundation
import PostgresNIO
import Referentiel
import Storage

/// Evaluation's copy of réglementation (the shared one: sessions, services open, règlements,
/// centres) and of organisation (units, copies by numéro d'anonymat, absences). Written by the
/// consumer only.
typealias ReferentielRepository = ReferentielReglementation

extension ReferentielReglementation {
    private var logger: Logger { database.logger }

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
}
