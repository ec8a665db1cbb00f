import Domain
import Foundation
import Hummingbird
import Messaging
import MoteurDeliberation
import PostgresNIO
import Storage

/// Reads of the closed results: a session's progress for the dashboard. (A candidate reads his
/// released result from Publication, which reconciles it against the signed PV first.)
struct ResultatRepository: Sendable {
    let database: Database

    struct Avancement: ResponseEncodable, Sendable {
        var candidats: Int
        var repartis: Int
        var jurys: Int
        var jurysOuverts: Int
        var jurysClos: Int
        var resultatsArretes: Int
        var admis: Int
        var resultatsPublies: Bool
    }

    /// nil when the service never heard of the session.
    func avancement(session: SessionCode) async throws -> Avancement? {
        let d = database
        let rows = try await d.query(SQL.query(
            """
            SELECT
                (SELECT count(*) FROM \(d.table("candidatures")) WHERE session = $1 AND NOT annulee),
                (SELECT count(*) FROM \(d.table("jury_candidats")) jc JOIN \(d.table("jurys")) j ON j.id = jc.jury WHERE j.session = $1),
                (SELECT count(*) FROM \(d.table("jurys")) WHERE session = $1),
                (SELECT count(*) FROM \(d.table("jurys")) WHERE session = $1 AND etat = 'ouvert'),
                (SELECT count(*) FROM \(d.table("jurys")) WHERE session = $1 AND etat = 'clos'),
                (SELECT count(*) FROM \(d.table("resultats")) WHERE session = $1),
                (SELECT count(*) FROM \(d.table("resultats")) WHERE session = $1 AND decision = 'admis'),
                s.resultats_publies_le IS NOT NULL
            FROM \(d.table("sessions")) s WHERE s.code = $1
            """, session.value))
        for try await (candidats, repartis, jurys, ouverts, clos, arretes, admis, publies) in rows.decode(
            (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Bool).self)
        {
            return Avancement(
                candidats: Int(candidats), repartis: Int(repartis), jurys: Int(jurys), jurysOuverts: Int(ouverts), jurysClos: Int(clos),
                resultatsArretes: Int(arretes), admis: Int(admis), resultatsPublies: publies)
        }
        return nil
    }
}
