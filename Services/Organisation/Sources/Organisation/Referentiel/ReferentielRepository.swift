import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Referentiel
import Storage

/// Organisation's copy of réglementation and inscription: the réglementation as every service
/// keeps it (`ReferentielReglementation`), plus what placing needs from it: the units of the
/// published règlement (with this session's national dates) and the validated candidatures
/// with, from them, the épreuves-candidats to place. Written by the consumer only (set-based,
/// so that a bench can feed thousands of candidatures at once).
struct ReferentielRepository: Sendable {
    let database: Database
    let reglementation: ReferentielReglementation

    init(database: Database) {
        self.database = database
        reglementation = ReferentielReglementation(database: database)
    }

    var logger: Logger { database.logger }

    // MARK: Réglementation (what the consumer writes, for a bench feeding a session the same way)

    func enregistrer(_ session: SessionOuverte, on connection: PostgresConnection) async throws {
        try await reglementation.enregistrer(session, on: connection)
    }

    func ouvrir(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await reglementation.ouvrir(service, session: session, on: connection)
    }

    /// The newest publication (an older one arriving late changes nothing), then its units.
    func enregistrer(_ reglement: ReglementPublie, on connection: PostgresConnection) async throws {
        if try await reglementation.enregistrer(reglement, on: connection) { try await appliquer(reglement, on: connection) }
    }

    /// The highest revision of the centre with its rooms, then the seats it no longer has.
    func enregistrer(_ centre: CentreEtat, on connection: PostgresConnection) async throws {
        if try await reglementation.enregistrer(centre, on: connection) { try await appliquer(centre, on: connection) }
    }

    /// A newer publication replaces the units of the session; dates and durations of
    /// épreuves-candidats not set locally follow it.
    func appliquer(_ reglement: ReglementPublie, on connection: PostgresConnection) async throws {
        let session = reglement.session.value
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

    /// A room that no longer exists seats nobody: those candidates are to be seated again.
    func appliquer(_ centre: CentreEtat, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("affectations")) f SET salle = NULL, place = NULL, a_publier = true
            WHERE f.session = $1 AND f.centre = $2 AND f.salle IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM \(database.table("salles")) s WHERE s.session = f.session AND s.uai = f.centre AND s.nom = f.salle)
            """, centre.session.value, centre.uai.value), logger: logger)
    }

    // MARK: Candidatures

    /// Validated or changed candidatures (only a higher revision is kept) and their épreuves-
    /// candidats: a unit no longer sat is dropped, a new one added; CCF units of a candidate whose
    /// établissement is in gestion autonome are placed in it. Returns the ids actually written.
    @discardableResult
    func enregistrer(_ candidatures: [CandidatureEtat], on connection: PostgresConnection) async throws -> (ids: [UUID], unitesRetirees: [String]) {
        guard !candidatures.isEmpty else { return ([], []) }
        for session in Set(candidatures.map(\.session)) { try await reglementation.assurerSession(session, on: connection) }
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
            WHERE NOT EXISTS (SELECT 1 FROM \(database.table("annulations")) a WHERE a.candidature = x.id AND a.revision >= x.revision)
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
    /// d'anonymat, presence) go; his convocations stay readable. The cancellation is kept as a
    /// tombstone first, so that a validation of an older revision arriving after it (replay,
    /// redelivery) is ignored by `enregistrer`.
    /// Returns the units withdrawn, or nil when the cancellation was already known or its
    /// candidature is not (yet) in the copy.
    func annuler(_ annulation: CandidatureAnnulee, on connection: PostgresConnection) async throws -> [String]? {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("annulations")) AS a (candidature, revision) VALUES ($1, $2)
            ON CONFLICT (candidature) DO UPDATE SET revision = excluded.revision, recue_le = now()
            WHERE a.revision < excluded.revision
            """, annulation.id, annulation.revision), logger: logger)
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
        try await reglementation.centres(session: session, uais: uais, on: connection)
    }

    func centre(_ uai: String, session: SessionCode, on connection: PostgresConnection? = nil) async throws -> CentreEpreuve? {
        try await reglementation.centre(uai, session: session, on: connection)
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
typealias CentreEpreuve = CentreReferentiel

extension CentreReferentiel {
    var capacite: Int { salles.reduce(0) { $0 + $1.places } }
    var estCentreEpreuve: Bool { roles.contains(.epreuve) && !retire }
    /// Where a convocation sends the candidate (the copy holds no street address).
    var adresse: String { "\(nom), \(commune)" }
}
