import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// Reads of what Publication holds: a session's publication as the gestionnaire follows it, the
/// released results (never a result the embargo still holds: everything public is read from
/// `resultats_publies`), and the data of the gateway's public pages.
struct PublicationRepository: Sendable {
    let database: Database

    struct Revision: Codable, Sendable {
        var numero: String
        var jury: String
        var revisionAvant: Int
        var decisionAvant: String
        var revision: Int
        var decision: String
        var republieLe: Date
    }

    /// A session's publication as the gestionnaire sees it.
    struct Etat: ResponseEncodable, Sendable {
        var session: String
        var etapeOuverte: Bool
        /// Nil while the embargo holds.
        var publieeLe: Date?
        /// The last reconciliation (nil before the first: no PV came yet and the step is closed).
        var verifieeLe: Date?
        var resultatsRecus: Int
        var admisRecus: Int
        var juriesClos: Int
        var resultatsPublies: Int
        var ecarts: [Rapprochement.Ecart]
        var ecartsTotal: Int
        var revisions: [Revision]
    }

    func etat(_ session: SessionCode) async throws -> Etat? {
        let rows = try await database.query(SQL.query(
            """
            SELECT $2 = ANY(s.services), p.publiee_le, p.verifiee_le, COALESCE(p.ecarts::text, '[]'), COALESCE(p.ecarts_total, 0),
                (SELECT count(*) FROM \(database.table("resultats")) r WHERE r.session = s.code),
                (SELECT count(*) FROM \(database.table("resultats")) r WHERE r.session = s.code AND r.decision = 'admis'),
                (SELECT count(*) FROM \(database.table("proces_verbaux")) v WHERE v.session = s.code),
                (SELECT count(*) FROM \(database.table("resultats_publies")) x WHERE x.session = s.code)
            FROM \(database.table("sessions")) s LEFT JOIN \(database.table("publications")) p ON p.session = s.code
            WHERE s.code = $1
            """, session.value, ServiceEtape.publication.rawValue))
        for try await (ouverte, publiee, verifiee, ecarts, total, recus, admis, jurys, publies)
            in rows.decode((Bool, Date?, Date?, String, Int, Int, Int, Int, Int).self) {
            return Etat(
                session: session.value, etapeOuverte: ouverte, publieeLe: publiee, verifieeLe: verifiee, resultatsRecus: recus,
                admisRecus: admis, juriesClos: jurys, resultatsPublies: publies,
                ecarts: try JSONDecoder().decode([Rapprochement.Ecart].self, from: Data(ecarts.utf8)), ecartsTotal: total,
                revisions: try await revisions(session))
        }
        return nil
    }

    private func revisions(_ session: SessionCode) async throws -> [Revision] {
        let rows = try await database.query(SQL.query(
            """
            SELECT numero, jury, revision_avant, decision_avant, revision, decision, republie_le
            FROM \(database.table("revisions")) WHERE session = $1 ORDER BY id DESC LIMIT 200
            """, session.value))
        var revisions: [Revision] = []
        for try await (numero, jury, avant, decisionAvant, revision, decision, le) in rows.decode((String, String, Int, String, Int, String, Date).self) {
            revisions.append(Revision(numero: numero, jury: jury, revisionAvant: avant, decisionAvant: decisionAvant, revision: revision,
                                      decision: decision, republieLe: le))
        }
        return revisions
    }

    // MARK: Released results

    /// A released result as the lists show it (no grade).
    struct LigneResultat: Codable, Sendable {
        var numero: String
        var nomFamille: String
        var nomUsage: String?
        var prenoms: String
        var specialite: String
        var etablissement: String?
        var etablissementNom: String?
        var decision: String
        var revision: Int
        var publieLe: Date
    }

    struct Filtre: Sendable {
        var decision: String?
        var specialite: String?
        var etablissement: String?
    }

    func liste(_ session: SessionCode, filtre: Filtre, pagination: Pagination) async throws -> (items: [LigneResultat], total: Int) {
        let rows = try await database.query(SQL.query(
            """
            SELECT c.numero, c.nom_famille, c.nom_usage, c.prenoms, c.specialite, c.etablissement_uai, c.etablissement_nom,
                p.decision, p.revision, COALESCE(p.revise_le, p.publie_le), count(*) OVER ()
            FROM \(database.table("resultats_publies")) p JOIN \(database.table("candidatures")) c ON c.id = p.candidature
            WHERE p.session = $1 AND ($2::text IS NULL OR p.decision = $2) AND ($3::text IS NULL OR c.specialite = $3)
              AND ($4::text IS NULL OR c.etablissement_uai = $4)
            ORDER BY c.nom_famille, c.prenoms, c.numero
            LIMIT $5 OFFSET $6
            """, session.value, filtre.decision, filtre.specialite, filtre.etablissement, pagination.taille, pagination.offset))
        var items: [LigneResultat] = []
        var total = 0
        for try await (numero, nom, usage, prenoms, specialite, uai, etablissement, decision, revision, le, compte)
            in rows.decode((String, String, String?, String, String, String?, String?, String, Int, Date, Int).self) {
            items.append(LigneResultat(numero: numero, nomFamille: nom, nomUsage: usage, prenoms: prenoms, specialite: specialite,
                                       etablissement: uai, etablissementNom: etablissement, decision: decision, revision: revision,
                                       publieLe: le))
            total = compte
        }
        return (items, total)
    }

    /// A candidate's released results (his numéro; one per session he sat), with grades: what his
    /// space shows. Empty while the embargo holds.
    struct ResultatCandidat: ResponseEncodable, Sendable {
        var session: String
        var sessionLibelle: String
        var resultat: ResultatArrete
        var publieLe: Date
        var reviseLe: Date?
    }

    func publies(numero: String) async throws -> [ResultatCandidat] {
        let rows = try await database.query(SQL.query(
            """
            SELECT p.session, s.libelle, p.contenu::text, p.publie_le, p.revise_le
            FROM \(database.table("resultats_publies")) p
            JOIN \(database.table("candidatures")) c ON c.id = p.candidature
            JOIN \(database.table("sessions")) s ON s.code = p.session
            WHERE c.numero = $1
            ORDER BY p.publie_le DESC
            """, numero))
        let decoder = MessageCoding.decoder()
        var resultats: [ResultatCandidat] = []
        for try await (session, libelle, contenu, publie, revise) in rows.decode((String, String, String, Date, Date?).self) {
            resultats.append(ResultatCandidat(
                session: session, sessionLibelle: libelle, resultat: try decoder.decode(ResultatArrete.self, from: Data(contenu.utf8)),
                publieLe: publie, reviseLe: revise))
        }
        return resultats
    }

    // MARK: The gateway's public pages

    func generation() async throws -> Int64 {
        let rows = try await database.query(SQL.query("SELECT valeur FROM \(database.table("generation"))"))
        for try await valeur in rows.decode(Int64.self) { return valeur }
        return 0
    }

    /// One released result as the public site needs it: the name only with consent; the birth
    /// date never leaves, only the lookup key (`CleConsultation`).
    struct LignePublique: Codable, Sendable {
        var numero: String
        var cle: String
        var specialite: String
        var decision: String
        var nom: String?
        var prenoms: String?
        var sessionDeRemplacement: Bool
    }

    /// A released session as the public site lists it; `version` grows at each of its releases.
    struct SessionPublique: Codable, Sendable {
        var session: String
        var libelle: String
        var academie: String
        var version: Int64
        var resultats: Int
        /// The spécialités' labels (`BOULANGER` → « Boulanger »).
        var specialites: [String: String]
    }

    struct SessionsPubliques: ResponseEncodable, Sendable {
        var generation: Int64
        var sessions: [SessionPublique]
    }

    struct PagePublique: ResponseEncodable, Sendable {
        var session: String
        var resultats: [LignePublique]
        /// The numéro to ask the next page after; nil on the last page.
        var suite: String?
    }

    /// The released sessions with their version, read with the generation in one snapshot.
    func sessionsPubliques(libelles: (SessionCode) async throws -> [String: String]) async throws -> SessionsPubliques {
        let (generation, lignes) = try await database.transaction { connection -> (Int64, [(String, String, String, Int64, Int)]) in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: database.logger)
            var generation: Int64 = 0
            for try await valeur in try await connection.query(
                SQL.query("SELECT valeur FROM \(database.table("generation"))"), logger: database.logger).decode(Int64.self) {
                generation = valeur
            }
            let rows = try await connection.query(SQL.query(
                """
                SELECT p.session, s.libelle, s.academie, p.version,
                    (SELECT count(*)::int8 FROM \(database.table("resultats_publies")) r WHERE r.session = p.session)
                FROM \(database.table("publications")) p JOIN \(database.table("sessions")) s ON s.code = p.session
                WHERE p.publiee_le IS NOT NULL
                ORDER BY p.session
                """), logger: database.logger)
            var lignes: [(String, String, String, Int64, Int)] = []
            for try await (session, libelle, academie, version, nombre) in rows.decode((String, String, String, Int64, Int64).self) {
                lignes.append((session, libelle, academie, version, Int(nombre)))
            }
            return (generation, lignes)
        }
        var sessions: [SessionPublique] = []
        for (session, libelle, academie, version, nombre) in lignes {
            guard let code = try? SessionCode(session) else { continue }
            sessions.append(SessionPublique(session: session, libelle: libelle, academie: academie, version: version, resultats: nombre,
                                            specialites: try await libelles(code)))
        }
        return SessionsPubliques(generation: generation, sessions: sessions)
    }

    /// A page of a session's released results, by numéro after `apres`.
    func pagePublique(_ session: SessionCode, apres: String?, taille: Int) async throws -> PagePublique {
        let rows = try await database.query(SQL.query(
            """
            SELECT c.numero, to_char(c.date_naissance, 'YYYY-MM-DD'), c.specialite, p.decision,
                CASE WHEN c.consentement THEN COALESCE(c.nom_usage, c.nom_famille) END,
                CASE WHEN c.consentement THEN c.prenoms END,
                COALESCE((p.contenu->>'sessionDeRemplacement')::boolean, false)
            FROM \(database.table("resultats_publies")) p JOIN \(database.table("candidatures")) c ON c.id = p.candidature
            WHERE p.session = $1 AND NOT c.annulee AND ($2::text IS NULL OR c.numero > $2)
            ORDER BY c.numero
            LIMIT $3
            """, session.value, apres, taille))
        var lignes: [LignePublique] = []
        for try await (numero, naissance, specialite, decision, nom, prenoms, remplacement)
            in rows.decode((String, String, String, String, String?, String?, Bool).self) {
            lignes.append(LignePublique(
                numero: numero, cle: CleConsultation.cle(numero: numero, naissance: naissance), specialite: specialite, decision: decision,
                nom: nom, prenoms: prenoms, sessionDeRemplacement: remplacement))
        }
        return PagePublique(session: session.value, resultats: lignes, suite: lignes.count == taille ? lignes.last?.numero : nil)
    }
}

extension PublicationRepository {
    /// A released result with who it belongs to, for the établissements' extraction and the lists.
    struct LigneComplete: Sendable {
        var numero: String
        var nom: String
        var prenoms: String
        var dateNaissance: String
        var specialite: String
        var etablissement: String?
        var etablissementNom: String?
        var resultat: ResultatArrete
    }

    /// Every released result of the session (of one établissement's students, or of the
    /// candidates placed in one centre épreuve), by spécialité then name.
    func completes(_ session: SessionCode, etablissement: String?, centre: String? = nil) async throws -> [LigneComplete] {
        let rows = try await database.query(SQL.query(
            """
            SELECT c.numero, COALESCE(c.nom_usage, c.nom_famille), c.prenoms, to_char(c.date_naissance, 'YYYY-MM-DD'), c.specialite,
                c.etablissement_uai, c.etablissement_nom, p.contenu::text
            FROM \(database.table("resultats_publies")) p JOIN \(database.table("candidatures")) c ON c.id = p.candidature
            WHERE p.session = $1 AND ($2::text IS NULL OR c.etablissement_uai = $2) AND NOT c.annulee
              AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM \(database.table("affectations")) a
                                               WHERE a.candidature = p.candidature AND a.centre = $3))
            ORDER BY c.specialite, 2, c.prenoms, c.numero
            """, session.value, etablissement, centre))
        let decoder = MessageCoding.decoder()
        var lignes: [LigneComplete] = []
        for try await (numero, nom, prenoms, naissance, specialite, uai, etablissementNom, contenu)
            in rows.decode((String, String, String, String, String, String?, String?, String).self) {
            lignes.append(LigneComplete(
                numero: numero, nom: nom, prenoms: prenoms, dateNaissance: naissance, specialite: specialite, etablissement: uai,
                etablissementNom: etablissementNom, resultat: try decoder.decode(ResultatArrete.self, from: Data(contenu.utf8))))
        }
        return lignes
    }
}
