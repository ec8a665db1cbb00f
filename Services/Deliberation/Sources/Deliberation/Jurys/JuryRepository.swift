import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// The juries of a session and who sits before which.
struct JuryRepository: Sendable {
    let database: Database

    private var logger: Logger { database.logger }

    struct Creation: Sendable {
        var code: String
        var specialite: String
        var centre: String?
        var date: String?
        var president: String
        var membres: [Jury.Membre]
    }

    /// A new jury; 409 when the session already has one with this code.
    func creer(_ creation: Creation, session: SessionCode) async throws -> Jury {
        let id = UUID()
        let membres = String(decoding: try MessageCoding.encoder().encode(creation.membres), as: UTF8.self)
        let rows = try await database.query(SQL.query(
            """
            INSERT INTO \(database.table("jurys")) (id, session, code, specialite, centre, date, president, membres)
            SELECT $1, $2, $3, $4, $5, $6::date, $7, $8::jsonb
            WHERE EXISTS (SELECT 1 FROM \(database.table("sessions")) WHERE code = $2)
            ON CONFLICT (session, code) DO NOTHING RETURNING id
            """, id, session.value, creation.code, creation.specialite, creation.centre, creation.date, creation.president, membres))
        var cree = false
        for try await _ in rows.decode(UUID.self) { cree = true }
        guard cree else {
            if try await jury(session: session, code: creation.code) != nil {
                throw ServiceError.conflict("jury.existe", "Le jury \(creation.code) existe déjà dans la session \(session).")
            }
            throw ServiceError.notFound("La session \(session) est inconnue du service des délibérations.")
        }
        guard let jury = try await jury(session: session, code: creation.code) else {
            throw ServiceError.notFound("Le jury \(creation.code) est introuvable.")
        }
        return jury
    }

    /// A jury's composition, centre and day, changed while it is in preparation (409 after).
    func modifier(_ jury: Jury, _ creation: Creation) async throws {
        let membres = String(decoding: try MessageCoding.encoder().encode(creation.membres), as: UTF8.self)
        let rows = try await database.query(SQL.query(
            """
            UPDATE \(database.table("jurys")) SET centre = $2, date = $3::date, president = $4, membres = $5::jsonb
            WHERE id = $1 AND etat = 'preparation' RETURNING id
            """, jury.id, creation.centre, creation.date, creation.president, membres))
        var modifie = false
        for try await _ in rows.decode(UUID.self) { modifie = true }
        guard modifie else {
            throw ServiceError.conflict("jury.etat", "Le jury \(jury.code) est ouvert ou clos : sa composition, son centre et sa date ne changent plus.")
        }
    }

    func jurys(session: SessionCode, code: String? = nil) async throws -> [Jury] {
        let rows = try await database.query(SQL.query(
            """
            SELECT j.id, j.code, j.specialite, j.centre, to_char(j.date, 'YYYY-MM-DD'), j.president, j.membres::text, j.etat,
                j.version_pv, (SELECT count(*) FROM \(database.table("jury_candidats")) jc WHERE jc.jury = j.id)
            FROM \(database.table("jurys")) j WHERE j.session = $1 AND ($2::text IS NULL OR j.code = $2)
            ORDER BY j.code
            """, session.value, code))
        let decoder = MessageCoding.decoder()
        var jurys: [Jury] = []
        for try await (id, code, specialite, centre, date, president, membres, etat, version, candidats) in rows.decode(
            (UUID, String, String, String?, String?, String, String, String, Int, Int64).self)
        {
            let liste = try decoder.decode([Jury.Membre].self, from: Data(membres.utf8))
            jurys.append(Jury(
                id: id, session: session.value, code: code, specialite: specialite, centre: centre, date: date, president: president,
                membres: liste, etat: Jury.Etat(rawValue: etat) ?? .preparation, versionPV: version, candidats: Int(candidats),
                avertissements: Jury.avertissements(liste)))
        }
        return jurys
    }

    func jury(session: SessionCode, code: String) async throws -> Jury? {
        try await jurys(session: session, code: code).first
    }

    /// The jury's row locked for the rest of `connection`'s transaction, with its state.
    func verrouiller(_ id: UUID, on connection: PostgresConnection) async throws -> Jury.Etat {
        for try await etat in try await connection.query(SQL.query(
            "SELECT etat FROM \(database.table("jurys")) WHERE id = $1 FOR UPDATE", id), logger: logger).decode(String.self)
        {
            return Jury.Etat(rawValue: etat) ?? .preparation
        }
        throw ServiceError.notFound("Jury introuvable.")
    }

    func changerEtat(_ id: UUID, _ etat: Jury.Etat, versionPV: Bool = false, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "UPDATE \(database.table("jurys")) SET etat = $2, version_pv = version_pv + $3 WHERE id = $1",
            id, etat.rawValue, versionPV ? 1 : 0), logger: logger)
    }

    // MARK: Candidates

    struct Repartition: ResponseEncodable, Sendable {
        var affectes: Int
        /// Candidates of a spécialité that has no open jury to take them.
        var sansJury: [String: Int]
        var jurys: [String: Int]
    }

    /// Seats every candidate of the session without a jury (of `specialite`, when given) before a
    /// jury of his spécialité not yet closed, so that the juries' sizes stay balanced: each jury
    /// fills up to an equal share, candidates taken by établissement then numéro (those of one
    /// établissement stay together).
    func repartir(session: SessionCode, specialite: String?) async throws -> Repartition {
        try await database.transaction { connection in
            let jurys = try await connection.query(SQL.query(
                """
                SELECT j.id, j.code, j.specialite, (SELECT count(*) FROM \(database.table("jury_candidats")) jc WHERE jc.jury = j.id)
                FROM \(database.table("jurys")) j
                WHERE j.session = $1 AND j.etat <> 'clos' AND ($2::text IS NULL OR j.specialite = $2)
                ORDER BY j.code FOR UPDATE
                """, session.value, specialite), logger: logger)
            var parSpecialite: [String: [(id: UUID, code: String, taille: Int)]] = [:]
            for try await (id, code, specialite, taille) in jurys.decode((UUID, String, String, Int64).self) {
                parSpecialite[specialite, default: []].append((id, code, Int(taille)))
            }
            let libres = try await connection.query(SQL.query(
                """
                SELECT c.id, c.specialite FROM \(database.table("candidatures")) c
                WHERE c.session = $1 AND NOT c.annulee AND ($2::text IS NULL OR c.specialite = $2)
                    AND NOT EXISTS (SELECT 1 FROM \(database.table("jury_candidats")) jc WHERE jc.candidature = c.id)
                ORDER BY c.specialite, c.etablissement NULLS LAST, c.numero
                """, session.value, specialite), logger: logger)
            var candidats: [String: [UUID]] = [:]
            for try await (id, specialite) in libres.decode((UUID, String).self) { candidats[specialite, default: []].append(id) }

            var repartition = Repartition(affectes: 0, sansJury: [:], jurys: [:])
            var ids: [UUID] = [], cibles: [UUID] = []
            for (specialite, liste) in candidats {
                guard var jurys = parSpecialite[specialite], !jurys.isEmpty else {
                    repartition.sansJury[specialite] = liste.count
                    continue
                }
                let total = jurys.reduce(liste.count) { $0 + $1.taille }
                var reste = liste[...]
                for index in jurys.indices {
                    // An equal share, the first juries taking the remainder.
                    let part = total / jurys.count + (index < total % jurys.count ? 1 : 0)
                    let pris = reste.prefix(max(0, part - jurys[index].taille))
                    reste = reste.dropFirst(pris.count)
                    ids += pris
                    cibles += Array(repeating: jurys[index].id, count: pris.count)
                    jurys[index].taille += pris.count
                    repartition.jurys[jurys[index].code] = jurys[index].taille
                }
                // Juries already above their share leave a few: to the smallest.
                for id in reste {
                    guard let index = jurys.indices.min(by: { jurys[$0].taille < jurys[$1].taille }) else { break }
                    ids.append(id)
                    cibles.append(jurys[index].id)
                    jurys[index].taille += 1
                    repartition.jurys[jurys[index].code] = jurys[index].taille
                }
            }
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("jury_candidats")) (candidature, jury)
                SELECT * FROM UNNEST($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING
                """, ids, cibles), logger: logger)
            repartition.affectes = ids.count
            return repartition
        }
    }

    /// Moves the candidates `numeros` of the session before `jury` (manual adjustment). Refused
    /// when the jury, or the one a candidate leaves, is closed, or when a candidate is of another
    /// spécialité. Returns how many moved.
    func affecter(numeros: [String], jury: Jury, session: SessionCode) async throws -> Int {
        try await database.transaction { connection in
            guard try await verrouiller(jury.id, on: connection) != .clos else {
                throw ServiceError.conflict("jury.clos", "Le jury \(jury.code) est clos : sa composition ne change plus.")
            }
            let rows = try await connection.query(SQL.query(
                """
                SELECT c.numero, c.id, c.specialite, j.etat, j.code FROM \(database.table("candidatures")) c
                LEFT JOIN \(database.table("jury_candidats")) jc ON jc.candidature = c.id
                LEFT JOIN \(database.table("jurys")) j ON j.id = jc.jury
                WHERE c.session = $1 AND c.numero = ANY($2) AND NOT c.annulee
                """, session.value, numeros), logger: logger)
            var trouves: [String: UUID] = [:]
            var verification = Verification()
            for try await (numero, id, specialite, etat, code) in rows.decode((String, UUID, String, String?, String?).self) {
                trouves[numero] = id
                if specialite != jury.specialite {
                    verification.erreur("numeros", "jury.specialite", "Le candidat \(numero) est inscrit en \(specialite), pas en \(jury.specialite).")
                }
                if etat == Jury.Etat.clos.rawValue, let code {
                    verification.erreur("numeros", "jury.clos", "Le candidat \(numero) a été délibéré par le jury \(code), clos.")
                }
            }
            for numero in numeros where trouves[numero] == nil {
                verification.erreur("numeros", "candidat.inconnu", "Aucun candidat n° \(numero.prefix(20)) dans la session \(session).")
            }
            try verification.verifier()
            let ids = Array(trouves.values)
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("jury_candidats")) (candidature, jury) SELECT unnest($1::uuid[]), $2
                ON CONFLICT (candidature) DO UPDATE SET jury = excluded.jury
                """, ids, jury.id), logger: logger)
            return ids.count
        }
    }

    /// The candidatures seated before the jury.
    func candidats(jury: UUID, on connection: PostgresConnection? = nil) async throws -> [UUID] {
        let query = SQL.query("SELECT candidature FROM \(database.table("jury_candidats")) WHERE jury = $1", jury)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }
}
