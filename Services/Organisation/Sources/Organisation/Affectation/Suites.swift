import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Storage

/// What follows any change of placement, in the same transaction: one
/// `organisation.candidat.affecte` per épreuve-candidat whose placement changed (marked
/// `a_publier` by whoever changed it), the copy lists sent again to evaluation where they
/// changed, and a new convocation version (with its event) for candidates who already had one.
struct Suites: Sendable {
    let database: Database
    let outbox: OutboxWriter
    let anonymats: AnonymatRepository
    let convocations: ConvocationRepository

    var logger: Logger { database.logger }

    struct Bilan: Sendable {
        var affectationsPubliees = 0
        var lotsRepublies = 0
        var convocationsRegenerees = 0
    }

    /// `unitesRetirees`: units whose épreuves-candidats were deleted (their copies leave the
    /// lists); `listesCompletes`: compare every list of the session (after an attribution).
    @discardableResult
    func apresChangement(
        session: String, candidatures autres: [UUID] = [], unitesRetirees: [String] = [], listesCompletes: Bool = false, par: String,
        on connection: PostgresConnection
    ) async throws -> Bilan {
        var bilan = Bilan()
        let rows = try await connection.query(SQL.query(
            """
            WITH p AS (
                UPDATE \(database.table("affectations")) SET a_publier = false, revision = revision + 1
                WHERE session = $1 AND a_publier
                RETURNING candidature, unite, specialite, epreuve, mode, centre, salle, debut, duree_minutes, place, revision
            )
            SELECT p.candidature, c.numero, p.specialite, p.epreuve, p.unite, p.mode, p.centre, p.salle, p.debut, p.duree_minutes,
                   p.place, p.revision
            FROM p JOIN \(database.table("candidatures")) c ON c.id = p.candidature
            """, session), logger: logger)
        let code = try SessionCode(session)
        var entries: [OutboxWriter.Entry] = []
        var touchees = Set(autres)
        var unites = Set(unitesRetirees)
        for try await (id, numero, specialite, epreuve, unite, mode, centre, salle, debut, duree, place, revision) in rows.decode(
            (UUID, String, String, String, String, String, String?, String?, String?, Int?, Int?, Int).self)
        {
            touchees.insert(id)
            unites.insert(unite)
            guard let centre, let uai = try? UAI(centre) else { continue }
            entries.append(try outbox.entry(
                CandidatAffecte(
                    session: code, candidature: id, numeroCandidat: numero, specialite: specialite, epreuve: epreuve, unite: unite,
                    mode: ModeEvaluationAffectation(rawValue: mode) ?? .ponctuel, centre: uai, salle: salle, debut: debut,
                    dureeMinutes: duree, place: place, revision: revision),
                aggregate: id.uuidString))
        }
        for lot in stride(from: 0, to: entries.count, by: 5000) {
            try await outbox.write(Array(entries[lot..<min(lot + 5000, entries.count)]), on: connection, logger: logger)
        }
        bilan.affectationsPubliees = entries.count
        // Only the lists of the units touched can have changed.
        if listesCompletes || !unites.isEmpty {
            bilan.lotsRepublies = try await anonymats.synchroniser(session: session, unites: listesCompletes ? nil : Array(unites), on: connection)
        }
        if !touchees.isEmpty {
            bilan.convocationsRegenerees = try await convocations.regenerer(Array(touchees), session: session, par: par, on: connection)
        }
        return bilan
    }
}
