import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Storage

/// A service's own copy of the réglementation: sessions, the step services open, the règlement
/// of each session (its latest publication) and the centres with their rooms, kept from
/// réglementation's events in the service's schema (`database.schema`, tables created by the
/// service's own migrations). Written only by the consumer, in its transaction; read by the
/// service's rules.
public struct ReferentielReglementation: Sendable {
    public let database: Database
    private let cache = CacheReglements()

    public init(database: Database) {
        self.database = database
    }

    private var logger: Logger { database.logger }

    // MARK: Consuming

    /// What the service does after a change of its copy, in the same transaction (the inbox row
    /// and any event it writes commit with the change).
    public typealias Apres = @Sendable (ChangementReferentiel, MessageContext) async throws -> Void

    /// The handlers of réglementation's events: each writes the copy, then calls `apres` (also
    /// for an event older than the copy, which changes nothing: see `ChangementReferentiel`).
    /// A redelivered message is dropped by the inbox before it gets here.
    public func handlers(apres: @escaping Apres = { _, _ in }) -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.on(SessionOuverte.self) { envelope, context in
            try await enregistrer(envelope.payload, on: context.connection)
            try await apres(.sessionOuverte(envelope.payload), context)
        }
        handlers.on(SessionClose.self) { envelope, context in
            try await enregistrer(envelope.payload, on: context.connection)
            try await apres(.sessionClose(envelope.payload), context)
        }
        handlers.on(ServiceOuvert.self) { envelope, context in
            try await ouvrir(envelope.payload.service, session: envelope.payload.session, on: context.connection)
            try await apres(.serviceOuvert(envelope.payload), context)
        }
        handlers.on(ServiceFerme.self) { envelope, context in
            try await fermer(envelope.payload.service, session: envelope.payload.session, on: context.connection)
            try await apres(.serviceFerme(envelope.payload), context)
        }
        handlers.on(ReglementPublie.self) { envelope, context in
            let nouveau = try await enregistrer(envelope.payload, on: context.connection)
            try await apres(.reglementPublie(envelope.payload, nouveau: nouveau), context)
        }
        handlers.on(CentreDeclare.self) { envelope, context in
            let nouveau = try await enregistrer(envelope.payload.centre, on: context.connection)
            try await apres(.centre(envelope.payload.centre, nouveau: nouveau), context)
        }
        handlers.on(CentreModifie.self) { envelope, context in
            let nouveau = try await enregistrer(envelope.payload.centre, on: context.connection)
            try await apres(.centre(envelope.payload.centre, nouveau: nouveau), context)
        }
        handlers.on(CentreRetire.self) { envelope, context in
            try await retirer(envelope.payload, on: context.connection)
            try await apres(.centreRetire(envelope.payload), context)
        }
        return handlers
    }

    // MARK: Writes (inside the consumer's transaction)

    public func enregistrer(_ session: SessionOuverte, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("sessions")) (code, academie, libelle, session_normale, debut_epreuves)
            VALUES ($1, $2, $3, $4, $5::date)
            ON CONFLICT (code) DO UPDATE SET academie = excluded.academie, libelle = excluded.libelle,
                session_normale = excluded.session_normale, debut_epreuves = excluded.debut_epreuves
            """,
            session.session.value, session.academie, session.libelle, session.sessionNormale?.value, session.debutEpreuves),
            logger: logger)
    }

    public func enregistrer(_ cloture: SessionClose, on connection: PostgresConnection) async throws {
        try await assurerSession(cloture.session, academie: cloture.academie, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET close = true, services = '{}' WHERE code = $1", cloture.session.value),
            logger: logger)
    }

    public func ouvrir(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET services = array_append(array_remove(services, $2), $2) WHERE code = $1",
            session.value, service.rawValue), logger: logger)
    }

    public func fermer(_ service: ServiceEtape, session: SessionCode, on connection: PostgresConnection) async throws {
        try await assurerSession(session, on: connection)
        try await connection.query(SQL.query(
            "UPDATE \(database.table("sessions")) SET services = array_remove(services, $2) WHERE code = $1",
            session.value, service.rawValue), logger: logger)
    }

    /// Keeps the newest publication. Returns false when an older (or the same) one arrives late:
    /// it changes nothing.
    @discardableResult
    public func enregistrer(_ reglement: ReglementPublie, on connection: PostgresConnection) async throws -> Bool {
        try await assurerSession(reglement.session, academie: reglement.academie, on: connection)
        let contenu = String(decoding: try MessageCoding.encoder().encode(reglement), as: UTF8.self)
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("reglements")) (session, version, contenu) VALUES ($1, $2, $3::jsonb)
            ON CONFLICT (session) DO UPDATE SET version = excluded.version, contenu = excluded.contenu, recu_le = now()
            WHERE reglements.version < excluded.version RETURNING version
            """, reglement.session.value, reglement.version, contenu), logger: logger)
        return try await Self.ecrit(rows)
    }

    /// Keeps the highest revision of the centre, with its rooms. Returns false when an older
    /// (or the same) revision arrives late: it changes nothing.
    @discardableResult
    public func enregistrer(_ centre: CentreEtat, on connection: PostgresConnection) async throws -> Bool {
        try await assurerSession(centre.session, on: connection)
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("centres"))
                (session, uai, nom, commune, secteur, habilitation_cfa, habilitation_fpc, roles, gestion_autonome, revision)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (session, uai) DO UPDATE SET nom = excluded.nom, commune = excluded.commune,
                secteur = excluded.secteur, habilitation_cfa = excluded.habilitation_cfa,
                habilitation_fpc = excluded.habilitation_fpc, roles = excluded.roles,
                gestion_autonome = excluded.gestion_autonome, revision = excluded.revision, retire = false
            WHERE centres.revision < excluded.revision RETURNING revision
            """,
            centre.session.value, centre.uai.value, centre.nom, centre.commune, centre.secteur.rawValue,
            centre.habilitationCFA, centre.habilitationFPC, centre.roles.map(\.rawValue), centre.gestionAutonome, centre.revision),
            logger: logger)
        guard try await Self.ecrit(rows) else { return false }
        try await connection.query(SQL.query(
            "DELETE FROM \(database.table("salles")) WHERE session = $1 AND uai = $2", centre.session.value, centre.uai.value),
            logger: logger)
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("salles")) (session, uai, nom, places, ordre)
            SELECT $1, $2, nom, places, ordre FROM UNNEST($3::text[], $4::int4[]) WITH ORDINALITY AS s (nom, places, ordre)
            ON CONFLICT DO NOTHING
            """, centre.session.value, centre.uai.value, centre.salles.map(\.nom), centre.salles.map(\.places)), logger: logger)
        return true
    }

    public func retirer(_ retrait: CentreRetire, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "UPDATE \(database.table("centres")) SET retire = true WHERE session = $1 AND uai = $2",
            retrait.session.value, retrait.uai.value), logger: logger)
    }

    /// Events of one session may arrive in any order after a redelivery: the session row exists
    /// before anything refers to it (académie and label filled in when its own event comes).
    /// Public for a service's other copies that refer to a session.
    public func assurerSession(_ session: SessionCode, academie: String? = nil, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "INSERT INTO \(database.table("sessions")) (code, academie, libelle) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING",
            session.value, academie ?? "", session.libelle), logger: logger)
    }

    private static func ecrit(_ rows: PostgresRowSequence) async throws -> Bool {
        var ecrit = false
        for try await _ in rows.decode(Int.self) { ecrit = true }
        return ecrit
    }

    // MARK: Reads

    /// Whether the session is closed (false when the service never heard of it): one row, no
    /// règlement, for the guard every request of a session passes.
    public func estClose(_ code: SessionCode) async throws -> Bool {
        let rows = try await database.query(SQL.query("SELECT close FROM \(database.table("sessions")) WHERE code = $1", code.value))
        for try await close in rows.decode(Bool.self) { return close }
        return false
    }

    /// A session and its règlement (latest publication), or nil when the service never heard of it.
    public func session(_ code: SessionCode) async throws -> SessionReferentiel? {
        let rows = try await database.query(SQL.query(
            """
            SELECT s.academie, s.libelle, s.close, s.services, to_char(s.debut_epreuves, 'YYYY-MM-DD'), r.version
            FROM \(database.table("sessions")) s LEFT JOIN \(database.table("reglements")) r ON r.session = s.code
            WHERE s.code = $1
            """, code.value))
        for try await (academie, libelle, close, services, debut, version) in rows.decode((String, String, Bool, [String], String?, Int?).self) {
            var reglement: ReglementPublie?
            if let version { reglement = try await self.reglement(code, version: version) }
            return SessionReferentiel(
                code: code, academie: academie, libelle: libelle, close: close,
                servicesOuverts: Set(services.compactMap(ServiceEtape.init(rawValue:))), debutEpreuves: debut, reglement: reglement)
        }
        return nil
    }

    private func reglement(_ code: SessionCode, version: Int) async throws -> ReglementPublie? {
        if let connu = await cache.reglement(code, version: version) { return connu }
        let rows = try await database.query(SQL.query(
            "SELECT contenu::text FROM \(database.table("reglements")) WHERE session = $1 AND version = $2 AND contenu IS NOT NULL",
            code.value, version))
        for try await texte in rows.decode(String.self) {
            let reglement = try MessageCoding.decoder().decode(ReglementPublie.self, from: Data(texte.utf8))
            await cache.garder(reglement)
            return reglement
        }
        return nil
    }

    /// The centres of the session (all, or those of `uais`) with their rooms, withdrawn ones
    /// flagged, by name. On `connection` when given (inside a transaction), else on the pool.
    public func centres(
        session: SessionCode, uais: [String]? = nil, on connection: PostgresConnection? = nil
    ) async throws -> [CentreReferentiel] {
        let query = SQL.query(
            """
            SELECT c.uai, c.nom, c.commune, c.secteur, c.habilitation_cfa, c.habilitation_fpc, c.roles, c.gestion_autonome, c.retire,
                COALESCE(array_agg(s.nom ORDER BY s.ordre) FILTER (WHERE s.nom IS NOT NULL), '{}'),
                COALESCE(array_agg(s.places ORDER BY s.ordre) FILTER (WHERE s.nom IS NOT NULL), '{}')
            FROM \(database.table("centres")) c LEFT JOIN \(database.table("salles")) s ON s.session = c.session AND s.uai = c.uai
            WHERE c.session = $1 AND ($2::text[] IS NULL OR c.uai = ANY($2))
            GROUP BY c.session, c.uai ORDER BY c.nom, c.uai
            """, session.value, uais)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        var centres: [CentreReferentiel] = []
        for try await (uai, nom, commune, secteur, cfa, fpc, roles, autonome, retire, salles, places) in rows.decode(
            (String, String, String, String, Bool, Bool, [String], Bool, Bool, [String], [Int32]).self)
        {
            centres.append(CentreReferentiel(
                uai: uai, nom: nom, commune: commune, secteur: secteur == Secteur.public.rawValue ? .public : .prive,
                habilitationCFA: cfa, habilitationFPC: fpc, roles: roles.compactMap(RoleCentre.init(rawValue:)),
                gestionAutonome: autonome, retire: retire, salles: zip(salles, places).map { Salle(nom: $0, places: Int($1)) }))
        }
        return centres
    }

    /// A centre of the session (withdrawn or not), or nil when the service never heard of it.
    public func centre(_ uai: String, session: SessionCode, on connection: PostgresConnection? = nil) async throws -> CentreReferentiel? {
        try await centres(session: session, uais: [uai], on: connection).first
    }
}

/// A change of the copy, as the `apres` hook of `ReferentielReglementation.handlers` sees it.
/// `nouveau` is false when the règlement or centre was older than (or the same as) the copy's:
/// nothing was written.
public enum ChangementReferentiel: Sendable {
    case sessionOuverte(SessionOuverte)
    case sessionClose(SessionClose)
    case serviceOuvert(ServiceOuvert)
    case serviceFerme(ServiceFerme)
    case reglementPublie(ReglementPublie, nouveau: Bool)
    case centre(CentreEtat, nouveau: Bool)
    case centreRetire(CentreRetire)

    /// The session the change belongs to.
    public var session: SessionCode {
        switch self {
        case .sessionOuverte(let s): s.session
        case .sessionClose(let s): s.session
        case .serviceOuvert(let s): s.session
        case .serviceFerme(let s): s.session
        case .reglementPublie(let r, _): r.session
        case .centre(let c, _): c.session
        case .centreRetire(let c): c.session
        }
    }
}

/// A session as the copy holds it.
public struct SessionReferentiel: Sendable {
    public var code: SessionCode
    public var academie: String
    public var libelle: String
    public var close: Bool
    public var servicesOuverts: Set<ServiceEtape>
    /// `YYYY-MM-DD` of the first day of tests, when réglementation gave it.
    public var debutEpreuves: String?
    /// The latest publication received (nil before the first one).
    public var reglement: ReglementPublie?

    public init(code: SessionCode, academie: String, libelle: String, close: Bool, servicesOuverts: Set<ServiceEtape>,
                debutEpreuves: String?, reglement: ReglementPublie?) {
        self.code = code
        self.academie = academie
        self.libelle = libelle
        self.close = close
        self.servicesOuverts = servicesOuverts
        self.debutEpreuves = debutEpreuves
        self.reglement = reglement
    }
}

/// A centre of the session as the copy holds it, with its rooms (in their order).
public struct CentreReferentiel: Sendable {
    public var uai: String
    public var nom: String
    public var commune: String
    public var secteur: Secteur
    public var habilitationCFA: Bool
    public var habilitationFPC: Bool
    public var roles: [RoleCentre]
    public var gestionAutonome: Bool
    public var retire: Bool
    public var salles: [Salle]

    public init(uai: String, nom: String, commune: String, secteur: Secteur, habilitationCFA: Bool, habilitationFPC: Bool,
                roles: [RoleCentre], gestionAutonome: Bool, retire: Bool, salles: [Salle]) {
        self.uai = uai
        self.nom = nom
        self.commune = commune
        self.secteur = secteur
        self.habilitationCFA = habilitationCFA
        self.habilitationFPC = habilitationFPC
        self.roles = roles
        self.gestionAutonome = gestionAutonome
        self.retire = retire
        self.salles = salles
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
