import Domain
import Foundation
import Hummingbird
import Messaging
import MoteurDeliberation
import PostgresNIO
import Storage

/// Reads of the closed results: a session's progress for the dashboard, a candidate's published
/// results for his file.
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

    struct Publie: Encodable, Sendable {
        var session: String
        var numero: String
        var specialite: String
        var decision: String
        var libelleDecision: String
        var moyenne: String?
        var unites: [Unite]

        struct Unite: Encodable, Sendable {
            var unite: String
            var libelle: String
            var note: String?
            var statut: String
        }
    }

    /// The closed results of the candidatures numbered `numeros`, in sessions whose results are
    /// published only.
    func publies(numeros: [String]) async throws -> [Publie] {
        let rows = try await database.query(SQL.query(
            """
            SELECT r.session, r.numero, r.specialite, r.deliberation::text FROM \(database.table("resultats")) r
            JOIN \(database.table("sessions")) s ON s.code = r.session
            WHERE r.numero = ANY($1) AND s.resultats_publies_le IS NOT NULL
            ORDER BY r.session DESC
            """, numeros))
        let decoder = MessageCoding.decoder()
        var publies: [Publie] = []
        for try await (session, numero, specialite, texte) in rows.decode((String, String, String, String).self) {
            let d = try decoder.decode(Deliberation.self, from: Data(texte.utf8))
            publies.append(Publie(
                session: session, numero: numero, specialite: specialite, decision: d.decision.rawValue, libelleDecision: d.decision.libelle,
                moyenne: d.moyenne?.affichage,
                unites: d.unites.map { .init(unite: $0.unite, libelle: $0.libelle, note: $0.note?.affichage, statut: $0.statut.libelle) }))
        }
        return publies
    }
}
