import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Storage

/// Inscription's copy of the réglementation: sessions, open step services, the règlement of
/// each session (latest publication) and the centres. Written by the consumer only; read by
/// every rule of registration.
struct ReferentielRepository: Sendable {
    let database: Database
    let cache = CacheReglements()

    // MARK: Writes (from réglementation events, inside the consumer's transaction)

    func enregistrer(_ session: SessionOuverte, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("sessions")) (code, academie, libelle, session_normale, debut_epreuves)
            VALUES ($1, $2, $3, $4, $5::date)
            ON CONFLICT (code) DO UPDATE SET academie = excluded.academie, libelle = excluded.libelle,
                session_normale = excluded.session_normale, debut_epreuves = excluded.debut_epreuves
            """,
            session.session.value, session.academie, session.libelle, session.sessionNormale?.value, session.debutEpreuves),
            logger: database.logger)
    }

    func enregistrer(_ cloture: SessionClose, on connection: PostgresConnection) async throws {
        try await assurerSession(cloture.session, academie: cloture.academie, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET close = true, services = '{}' WHERE code = $1", cloture.session.value),
            logger: database.logger)
    }

    func ouvrir(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, academie: nil, on: connection)
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("sessions")) SET services = array_append(array_remove(services, $2), $2) WHERE code = $1
            """, session.value, service.rawValue), logger: database.logger)
    }

    func fermer(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, academie: nil, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET services = array_remove(services, $2) WHERE code = $1",
            session.value, service.rawValue), logger: database.logger)
    }

    /// Keeps the newest publication: an older one arriving late changes nothing.
    func enregistrer(_ reglement: ReglementPublie, on connection: PostgresConnection) async throws {
        try await assurerSession(reglement.session, academie: reglement.academie, on: connection)
        let contenu = String(decoding: try MessageCoding.encoder().encode(reglement), as: UTF8.self)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("reglements")) (session, version, contenu) VALUES ($1, $2, $3::jsonb)
            ON CONFLICT (session) DO UPDATE SET version = excluded.version, contenu = excluded.contenu, recu_le = now()
            WHERE reglements.version < excluded.version
            """, reglement.session.value, reglement.version, contenu), logger: database.logger)
    }

    /// Keeps the highest revision of the centre.
    func enregistrer(_ centre: CentreEtat, on connection: PostgresConnection) async throws {
        try await assurerSession(centre.session, academie: nil, on: connection)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("centres"))
                (session, uai, nom, commune, secteur, habilitation_cfa, habilitation_fpc, roles, gestion_autonome, revision)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (session, uai) DO UPDATE SET nom = excluded.nom, commune = excluded.commune,
                secteur = excluded.secteur, habilitation_cfa = excluded.habilitation_cfa,
                habilitation_fpc = excluded.habilitation_fpc, roles = excluded.roles,
                gestion_autonome = excluded.gestion_autonome, revision = excluded.revision, retire = false
            WHERE centres.revision < excluded.revision
            """,
            centre.session.value, centre.uai.value, centre.nom, centre.commune, centre.secteur.rawValue,
            centre.habilitationCFA, centre.habilitationFPC, centre.roles.map(\.rawValue), centre.gestionAutonome, centre.revision),
            logger: database.logger)
    }

    func retirer(_ retrait: CentreRetire, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "UPDATE \(database.table("centres")) SET retire = true WHERE session = $1 AND uai = $2",
            retrait.session.value, retrait.uai.value), logger: database.logger)
    }

    /// Events of one session may arrive in any order after a redelivery: a session row exists
    /// before anything refers to it (its académie filled in when its own event comes).
    private func assurerSession(_ session: SessionCode, academie: String?, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("sessions")) (code, academie, libelle) VALUES ($1, $2, $3)
            ON CONFLICT (code) DO NOTHING
            """, session.value, academie ?? "", session.libelle), logger: database.logger)
    }

    // MARK: Reads

    /// What registration needs to know about a session, or nil when this service never heard of it.
    func session(_ code: SessionCode) async throws -> SessionInscription? {
        let rows = try await database.query(SQL.query(
            """
            SELECT s.academie, s.libelle, s.close, s.services, to_char(s.debut_epreuves, 'YYYY-MM-DD'), r.version
            FROM \(database.table("sessions")) s LEFT JOIN \(database.table("reglements")) r ON r.session = s.code
            WHERE s.code = $1
            """, code.value))
        for try await (academie, libelle, close, services, debut, version) in rows.decode((String, String, Bool, [String], String?, Int?).self) {
            var reglement: ReglementPublie?
            if let version { reglement = try await self.reglement(code, version: version) }
            return SessionInscription(
                code: code, academie: academie, libelle: libelle, close: close,
                servicesOuverts: Set(services.compactMap(ServiceEtape.init(rawValue:))), debutEpreuves: debut, reglement: reglement)
        }
        return nil
    }

    private func reglement(_ code: SessionCode, version: Int) async throws -> ReglementPublie? {
        if let connu = await cache.reglement(code, version: version) { return connu }
        let rows = try await database.query(SQL.query(
            "SELECT contenu::text FROM \(database.table("reglements")) WHERE session = $1 AND version = $2", code.value, version))
        for try await texte in rows.decode(String.self) {
            let reglement = try MessageCoding.decoder().decode(ReglementPublie.self, from: Data(texte.utf8))
            await cache.garder(reglement)
            return reglement
        }
        return nil
    }

    /// A centre of the session (withdrawn ones included, flagged).
    func centre(_ uai: UAI, session: SessionCode) async throws -> CentreInscription? {
        try await centres(session: session, uais: [uai.value]).first
    }

    func centres(session: SessionCode, uais: [String]?) async throws -> [CentreInscription] {
        let rows = try await database.query(SQL.query(
            """
            SELECT uai, nom, commune, secteur, habilitation_cfa, habilitation_fpc, roles, gestion_autonome, retire
            FROM \(database.table("centres")) WHERE session = $1 AND ($2::text[] IS NULL OR uai = ANY($2)) ORDER BY nom, uai
            """, session.value, uais))
        var centres: [CentreInscription] = []
        for try await (uai, nom, commune, secteur, cfa, fpc, roles, autonome, retire) in rows.decode(
            (String, String, String, String, Bool, Bool, [String], Bool, Bool).self)
        {
            centres.append(CentreInscription(
                uai: uai, nom: nom, commune: commune, secteurPublic: secteur == Secteur.public.rawValue,
                habilitationCFA: cfa, habilitationFPC: fpc, roles: roles.compactMap(RoleCentre.init(rawValue:)),
                gestionAutonome: autonome, retire: retire))
        }
        return centres
    }
}

/// Decoded règlements by session and version (a version never changes, so entries never go stale).
actor CacheReglements {
    private var reglements: [String: ReglementPublie] = [:]

    func reglement(_ session: SessionCode, version: Int) -> ReglementPublie? { reglements["\(session.value)#\(version)"] }

    func garder(_ reglement: ReglementPublie) {
        if reglements.count > 200 { reglements.removeAll() }
        reglements["\(reglement.session.value)#\(reglement.version)"] = reglement
    }
}

/// A session as registration sees it.
struct SessionInscription: Sendable {
    var code: SessionCode
    var academie: String
    var libelle: String
    var close: Bool
    var servicesOuverts: Set<ServiceEtape>
    var debutEpreuves: String?
    var reglement: ReglementPublie?

    /// The step service a candidate of `categorie` registers through.
    static func service(pour categorie: CategorieInscription) -> ServiceEtape {
        categorie == .individuel ? .inscriptionGrandPublic : .inscriptionEtablissement
    }

    func specialite(_ code: String) -> SpecialiteOfferte? {
        reglement?.specialites.first { $0.reglement.specialite == code }
    }

    /// The day the session starts (first day of tests, else the first of its month): the
    /// reference for the 5 years a bénéfice lasts.
    var jourDeReference: String {
        debutEpreuves ?? String(format: "%04d-%02d-01", code.annee, code.mois)
    }
}

/// A centre of the session as registration sees it.
struct CentreInscription: Sendable, Codable {
    var uai: String
    var nom: String
    var commune: String
    var secteurPublic: Bool
    var habilitationCFA: Bool
    var habilitationFPC: Bool
    var roles: [RoleCentre]
    var gestionAutonome: Bool
    var retire: Bool
}
