import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Storage

/// Organisation's copy of réglementation and inscription: sessions, open step services, the
/// units of the published règlement (with this session's national dates), centres with their
/// rooms, validated candidatures and, from them, the épreuves-candidats to place. Written by the
/// consumer only (set-based, so that a bench can feed thousands of candidatures at once).
struct ReferentielRepository: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    // MARK: Sessions and services

    func enregistrer(_ session: SessionOuverte, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("sessions")) (code, academie, libelle, debut_epreuves)
            VALUES ($1, $2, $3, $4::date)
            ON CONFLICT (code) DO UPDATE SET academie = excluded.academie, libelle = excluded.libelle,
                debut_epreuves = excluded.debut_epreuves
            """, session.session.value, session.academie, session.libelle, session.debutEpreuves), logger: logger)
    }

    func enregistrer(_ cloture: SessionClose, on connection: PostgresConnection) async throws {
        try await assurerSession(cloture.session, academie: cloture.academie, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET close = true, services = '{}' WHERE code = $1", cloture.session.value), logger: logger)
    }

    func ouvrir(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, academie: nil, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET services = array_append(array_remove(services, $2), $2) WHERE code = $1",
            session.value, service.rawValue), logger: logger)
    }

    func fermer(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, academie: nil, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET services = array_remove(services, $2) WHERE code = $1",
            session.value, service.rawValue), logger: logger)
    }

    /// Events of a session may come in any order after a redelivery: its row exists first.
    func assurerSession(_ session: SessionCode, academie: String?, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "INSERT INTO \(database.table("sessions")) (code, academie, libelle) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING",
            session.value, academie ?? "", session.libelle), logger: logger)
    }

    // MARK: Règlement

    /// The newest publication replaces the units of the session (an older one arriving late
    /// changes nothing); dates and durations of épreuves-candidats not set locally follow it.
    func enregistrer(_ reglement: ReglementPublie, on connection: PostgresConnection) async throws {
        let session = reglement.session.value
        try await assurerSession(reglement.session, academie: reglement.academie, on: connection)
        let ecrit = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("reglements")) (session, version) VALUES ($1, $2)
            ON CONFLICT (session) DO UPDATE SET version = excluded.version, recu_le = now()
            WHERE reglements.version < excluded.version RETURNING version
            """, session, reglement.version), logger: logger)
        var nouveau = false
        for try await _ in ecrit.decode(Int.self) { nouveau = true }
        guard nouveau else { return }
        var specialites: [String] = [], specialiteLibelles: [String] = [], epreuves: [String] = [], epreuveLibelles: [String] = []
        var unites: [String] = [], libelles: [String] = [], formes: [String] = [], durees: [Int?] = [], preparations: [Int?] = []
        var pas: [Int] = [], pasCCF: [Int] = [], debuts: [String?] = [], sujets: [String?] = []
        for offerte in reglement.specialites {
            let r = offerte.reglement
            for epreuve in r.epreuves {
                for unite in epreuve.unites {
                    let date = unite.dates.first { $0.session == reglement.session }
                    specialites.append(r.specialite); specialiteLibelles.append(r.libelle)
                    epreuves.append(epreuve.code); epreuveLibelles.append(epreuve.libelle)
                    unites.append(unite.code); libelles.append(unite.libelle)
                    formes.append((unite.formes.first ?? .ecrite).rawValue)
                    durees.append(unite.dureeMinutes); preparations.append(unite.preparationMinutes)
                    pas.append(unite.pas.centiemes); pasCCF.append(unite.pasCCF.centiemes)
                    debuts.append(date?.debut); sujets.append(date?.sujet)
                }
            }
        }
        try await connection.query(SQL.query("DELETE FROM \(database.table("unites")) WHERE session = $1", session), logger: logger)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("unites")) (session, specialite, specialite_libelle, epreuve, epreuve_libelle, unite, libelle,
                forme, duree_minutes, preparation_minutes, pas_centiemes, pas_ccf_centiemes, debut, sujet)
            SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::int4[], $10::int4[], $11::int4[], $12::int4[], $13::text[], $14::text[])
            ON CONFLICT DO NOTHING
            """, session, specialites, specialiteLibelles, epreuves, epreuveLibelles, unites, libelles, formes,
            TableauNullable(durees), TableauNullable(preparations), pas, pasCCF, TableauNullable(debuts), TableauNullable(sujets)), logger: logger)
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("affectations")) f
            SET debut = CASE WHEN f.debut_local THEN f.debut ELSE u.debut END,
                duree_minutes = \(Self.dureeMajoree("u.duree_minutes", "c.majoration_pourcent")),
                a_publier = f.a_publier OR f.centre IS NOT NULL
            FROM \(database.table("unites")) u, \(database.table("candidatures")) c
            WHERE f.session = $1 AND u.session = f.session AND u.specialite = f.specialite AND u.unite = f.unite AND c.id = f.candidature
              AND (f.debut IS DISTINCT FROM CASE WHEN f.debut_local THEN f.debut ELSE u.debut END
                   OR f.duree_minutes IS DISTINCT FROM \(Self.dureeMajoree("u.duree_minutes", "c.majoration_pourcent")))
            """, session), logger: logger)
    }

    /// A duration with its extra time, rounded up to the minute (SQL).
    static func dureeMajoree(_ duree: String, _ pourcent: String) -> String {
        "(\(duree) + (\(duree) * \(pourcent) + 99) / 100)"
    }

    // MARK: Centres

    /// Keeps the highest revision of the centre, with its rooms.
    func enregistrer(_ centre: CentreEtat, on connection: PostgresConnection) async throws {
        try await assurerSession(centre.session, academie: nil, on: connection)
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("centres")) (session, uai, nom, commune, roles, gestion_autonome, revision)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (session, uai) DO UPDATE SET nom = excluded.nom, commune = excluded.commune, roles = excluded.roles,
                gestion_autonome = excluded.gestion_autonome, revision = excluded.revision, retire = false
            WHERE centres.revision < excluded.revision RETURNING revision
            """,
            centre.session.value, centre.uai.value, centre.nom, centre.commune, centre.roles.map(\.rawValue),
            centre.gestionAutonome, centre.revision), logger: logger)
        var ecrit = false
        for try await _ in rows.decode(Int.self) { ecrit = true }
        guard ecrit else { return }
        try await connection.query(SQL.query(
            "DELETE FROM \(database.table("salles")) WHERE session = $1 AND uai = $2", centre.session.value, centre.uai.value), logger: logger)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("salles")) (session, uai, nom, places, ordre)
            SELECT $1, $2, nom, places, ordre FROM UNNEST($3::text[], $4::int4[]) WITH ORDINALITY AS s (nom, places, ordre)
            ON CONFLICT DO NOTHING
            """, centre.session.value, centre.uai.value, centre.salles.map(\.nom), centre.salles.map(\.places)), logger: logger)
        // A room that no longer exists seats nobody: those candidates are to be seated again.
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("affectations")) f SET salle = NULL, place = NULL, a_publier = true
            WHERE f.session = $1 AND f.centre = $2 AND f.salle IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM \(database.table("salles")) s WHERE s.session = f.session AND s.uai = f.centre AND s.nom = f.salle)
            """, centre.session.value, centre.uai.value), logger: logger)
    }

    func retirer(_ retrait: CentreRetire, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "UPDATE \(database.table("centres")) SET retire = true WHERE session = $1 AND uai = $2",
            retrait.session.value, retrait.uai.value), logger: logger)
    }

    // MARK: Candidatures

    /// Validated or changed candidatures (only a higher revision is kept) and their épreuves-
    /// candidats: a unit no longer sat is dropped, a new one added; CCF units of a candidate whose
    /// établissement is in gestion autonome are placed in it. Returns the ids actually written.
    @discardableResult
    func enregistrer(_ candidatures: [CandidatureEtat], on connection: PostgresConnection) async throws -> (ids: [UUID], unitesRetirees: [String]) {
        guard !candidatures.isEmpty else { return ([], []) }
        for session in Set(candidatures.map(\.session)) { try await assurerSession(session, academie: nil, on: connection) }
        let c = candidatures
        let amenagements = try c.map { String(decoding: try MessageCoding.encoder().encode($0.amenagements), as: UTF8.self) }
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("candidatures")) (id, numero, session, revision, nom_famille, nom_usage, prenoms, sexe,
                date_naissance, ine, categorie, categorie_reglementaire, uai, etablissement, gestion_autonome, departement, specialite,
                amenagements, majoration_pourcent, salle_separee, annulee)
            SELECT id, numero, session, revision, nom, usage, prenoms, sexe, naissance, ine, categorie, reglementaire, uai, etab,
                autonome, CASE WHEN uai IS NULL THEN NULL ELSE substr(uai, 1, 3) END, specialite, amenagements::jsonb, majoration, separee, false
            FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bool[], $16::text[], $17::text[], $18::int4[], $19::bool[])
                AS x (id, numero, session, revision, nom, usage, prenoms, sexe, naissance, ine, categorie, reglementaire, uai, etab,
                      autonome, specialite, amenagements, majoration, separee)
            ON CONFLICT (id) DO UPDATE SET numero = excluded.numero, revision = excluded.revision, nom_famille = excluded.nom_famille,
                nom_usage = excluded.nom_usage, prenoms = excluded.prenoms, sexe = excluded.sexe, date_naissance = excluded.date_naissance,
                ine = excluded.ine, categorie = excluded.categorie, categorie_reglementaire = excluded.categorie_reglementaire,
                uai = excluded.uai, etablissement = excluded.etablissement, gestion_autonome = excluded.gestion_autonome,
                departement = excluded.departement, specialite = excluded.specialite, amenagements = excluded.amenagements,
                majoration_pourcent = excluded.majoration_pourcent, salle_separee = excluded.salle_separee, annulee = false, recue_le = now()
            WHERE candidatures.revision < excluded.revision
            RETURNING id
            """,
            c.map(\.id), c.map(\.numero), c.map(\.session.value), c.map(\.revision), c.map(\.candidat.nomFamille),
            TableauNullable(c.map(\.candidat.nomUsage)), c.map(\.candidat.prenoms), c.map(\.candidat.sexe.rawValue), c.map(\.candidat.dateNaissance),
            TableauNullable(c.map { $0.candidat.ine?.value }), c.map(\.categorie.rawValue), c.map(\.categorieReglementaire.rawValue),
            TableauNullable(c.map { $0.etablissement?.uai.value }), TableauNullable(c.map { $0.etablissement?.nom }), c.map { $0.etablissement?.gestionAutonome ?? false },
            c.map(\.specialite), amenagements, c.map(Self.majoration), c.map(Self.salleSeparee)), logger: logger)
        var ecrites = Set<UUID>()
        for try await id in rows.decode(UUID.self) { ecrites.insert(id) }
        guard !ecrites.isEmpty else { return ([], []) }

        var ids: [UUID] = [], unites: [String] = [], epreuves: [String] = [], modes: [String] = []
        for candidature in c where ecrites.contains(candidature.id) {
            for unite in candidature.unites where unite.situation == .presentee {
                ids.append(candidature.id); unites.append(unite.code); epreuves.append(unite.epreuve)
                modes.append((unite.mode ?? .ponctuel).rawValue)
            }
        }
        let f = database.table("affectations")
        let retirees = try await connection.query(SQL.query(
            """
            DELETE FROM \(f) f WHERE f.candidature = ANY($1)
              AND NOT EXISTS (SELECT 1 FROM UNNEST($2::uuid[], $3::text[]) AS x (id, unite) WHERE x.id = f.candidature AND x.unite = f.unite)
            RETURNING f.unite
            """, Array(ecrites), ids, unites), logger: logger)
        var unitesRetirees = Set<String>()
        for try await unite in retirees.decode(String.self) { unitesRetirees.insert(unite) }
        // New units come in unplaced (CCF in an autonomous établissement: placed there); a unit
        // whose mode changed starts again from scratch; a duration follows the extra time granted.
        try await connection.query(SQL.query(
            """
            INSERT INTO \(f) AS f (candidature, unite, session, specialite, epreuve, mode, centre, debut, duree_minutes, origine, a_publier)
            SELECT c.id, x.unite, c.session, c.specialite, x.epreuve, x.mode,
                   CASE WHEN x.mode = 'ccf' AND c.gestion_autonome THEN c.uai END, u.debut,
                   \(Self.dureeMajoree("u.duree_minutes", "c.majoration_pourcent")),
                   CASE WHEN x.mode = 'ccf' AND c.gestion_autonome THEN 'gestion_autonome' END,
                   x.mode = 'ccf' AND c.gestion_autonome
            FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x (id, unite, epreuve, mode)
            JOIN \(database.table("candidatures")) c ON c.id = x.id
            LEFT JOIN \(database.table("unites")) u ON u.session = c.session AND u.specialite = c.specialite AND u.unite = x.unite
            ON CONFLICT (candidature, unite) DO UPDATE SET
                epreuve = excluded.epreuve, mode = excluded.mode,
                centre = CASE WHEN f.mode = excluded.mode THEN COALESCE(f.centre, excluded.centre) ELSE excluded.centre END,
                salle = CASE WHEN f.mode = excluded.mode THEN f.salle END,
                place = CASE WHEN f.mode = excluded.mode THEN f.place END,
                origine = CASE WHEN f.mode = excluded.mode THEN COALESCE(f.origine, excluded.origine) ELSE excluded.origine END,
                duree_minutes = excluded.duree_minutes,
                a_publier = f.a_publier OR excluded.a_publier OR f.mode <> excluded.mode
                    OR (f.centre IS NOT NULL AND f.duree_minutes IS DISTINCT FROM excluded.duree_minutes)
            """, ids, unites, epreuves, modes), logger: logger)
        return (Array(ecrites), Array(unitesRetirees))
    }

    /// The candidate no longer sits the session: his épreuves-candidats (and their numéros
    /// d'anonymat, presence) go; his convocations stay readable.
    /// Returns the units withdrawn, or nil when the cancellation was already known.
    func annuler(_ annulation: CandidatureAnnulee, on connection: PostgresConnection) async throws -> [String]? {
        let rows = try await connection.query(SQL.query(
            """
            UPDATE \(database.table("candidatures")) SET annulee = true, revision = $2, recue_le = now()
            WHERE id = $1 AND revision < $2 RETURNING id
            """, annulation.id, annulation.revision), logger: logger)
        var annulee = false
        for try await _ in rows.decode(UUID.self) { annulee = true }
        guard annulee else { return nil }
        let rows2 = try await connection.query(SQL.query(
            "DELETE FROM \(database.table("affectations")) WHERE candidature = $1 RETURNING unite", annulation.id), logger: logger)
        var unites: [String] = []
        for try await unite in rows2.decode(String.self) { unites.append(unite) }
        return unites
    }

    static func majoration(_ c: CandidatureEtat) -> Int {
        c.amenagements.filter { $0.type == .tempsMajore }.map { $0.majorationPourcent ?? 33 }.max() ?? 0
    }

    static func salleSeparee(_ c: CandidatureEtat) -> Bool { c.amenagements.contains { $0.type == .salleSeparee } }

    // MARK: Reads

    func session(_ code: SessionCode) async throws -> SessionOrganisation? {
        let rows = try await database.query(SQL.query(
            """
            SELECT s.academie, s.libelle, s.close, s.services, r.version, s.terminee_le IS NOT NULL
            FROM \(database.table("sessions")) s LEFT JOIN \(database.table("reglements")) r ON r.session = s.code WHERE s.code = $1
            """, code.value))
        for try await (academie, libelle, close, services, version, terminee) in rows.decode((String, String, Bool, [String], Int?, Bool).self) {
            return SessionOrganisation(
                code: code, academie: academie, libelle: libelle, close: close,
                servicesOuverts: Set(services.compactMap(ServiceEtape.init(rawValue:))), reglementVersion: version, terminee: terminee)
        }
        return nil
    }

    /// The centres of the session with their rooms (withdrawn ones flagged), by name.
    func centres(session: SessionCode, uais: [String]? = nil, on connection: PostgresConnection? = nil) async throws -> [CentreEpreuve] {
        let query = SQL.query(
            """
            SELECT c.uai, c.nom, c.commune, c.roles, c.gestion_autonome, c.retire,
                COALESCE(array_agg(s.nom ORDER BY s.ordre) FILTER (WHERE s.nom IS NOT NULL), '{}'),
                COALESCE(array_agg(s.places ORDER BY s.ordre) FILTER (WHERE s.nom IS NOT NULL), '{}')
            FROM \(database.table("centres")) c LEFT JOIN \(database.table("salles")) s ON s.session = c.session AND s.uai = c.uai
            WHERE c.session = $1 AND ($2::text[] IS NULL OR c.uai = ANY($2))
            GROUP BY c.uai, c.nom, c.commune, c.roles, c.gestion_autonome, c.retire ORDER BY c.nom, c.uai
            """, session.value, uais)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        var centres: [CentreEpreuve] = []
        for try await (uai, nom, commune, roles, autonome, retire, salles, places) in rows.decode(
            (String, String, String, [String], Bool, Bool, [String], [Int32]).self)
        {
            centres.append(CentreEpreuve(
                uai: uai, nom: nom, commune: commune, roles: roles.compactMap(RoleCentre.init(rawValue:)), gestionAutonome: autonome,
                retire: retire, salles: zip(salles, places).map { Salle(nom: $0, places: Int($1)) }))
        }
        return centres
    }

    func centre(_ uai: String, session: SessionCode, on connection: PostgresConnection? = nil) async throws -> CentreEpreuve? {
        try await centres(session: session, uais: [uai], on: connection).first
    }
}

/// A session as organisation sees it.
struct SessionOrganisation: Sendable {
    var code: SessionCode
    var academie: String
    var libelle: String
    var close: Bool
    var servicesOuverts: Set<ServiceEtape>
    var reglementVersion: Int?
    var terminee: Bool
}

/// A centre of the session, with its rooms.
struct CentreEpreuve: Sendable, Codable {
    var uai: String
    var nom: String
    var commune: String
    var roles: [RoleCentre]
    var gestionAutonome: Bool
    var retire: Bool
    var salles: [Salle]

    var capacite: Int { salles.reduce(0) { $0 + $1.places } }
    var estCentreEpreuve: Bool { roles.contains(.epreuve) && !retire }
    /// Where a convocation sends the candidate (the copy holds no street address).
    var adresse: String { "\(nom), \(commune)" }
}
