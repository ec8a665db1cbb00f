import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// The SQL of commissions, lots and graders, and the API's copies of lots (`LotCache`), which
/// only this type reads and drops: at its own committed changes (read-your-writes in this
/// process), at the changes others announce (`Attente` hears them), never elsewhere.
struct LotRepository: Sendable {
    let database: Database
    private let cache: LotCache

    init(database: Database, cache: LotCache = LotCache()) {
        self.database = database
        self.cache = cache
    }

    var logger: Logger { database.logger }

    // MARK: The copies of lots

    /// The lot's state, from this process's copy when it has one.
    func etatEnCache(_ id: UUID) async throws -> LotEtat? {
        try await cache.lot(id) { try await etat(id) }
    }

    /// Drops the copy of a lot whose change was committed or announced.
    func oublier(_ id: UUID) { cache.oublier(id) }

    /// Drops every copy (announcements may have been missed).
    func oublierTout() { cache.toutOublier() }

    // MARK: Reads

    private var selection: String {
        let l = database.table("lots"), u = database.table("unites"), c = database.table("copies")
        let n = database.table("notes"), k = database.table("correcteurs")
        return """
            SELECT json_build_object(
                'id', l.id, 'session', l.session, 'unite', l.unite, 'epreuve', u.epreuve, 'specialite', u.specialite,
                'numero', l.numero, 'nature', l.nature, 'commission', l.commission, 'centre', l.centre, 'jour', l.jour,
                'pas', u.pas, 'ouvert', l.ouvert, 'verrouille', l.verrouille, 'verrouillePar', l.verrouille_par,
                'copies', (SELECT count(*) FROM \(c) c WHERE c.lot = l.id),
                'saisies', (SELECT count(*) FROM \(n) n WHERE n.lot = l.id),
                'correcteurs', COALESCE((SELECT json_agg(json_build_object('sujet', k.sujet, 'nom', k.nom) ORDER BY k.nom)
                    FROM \(k) k WHERE k.lot = l.id), '[]'::json)
            )::text
            FROM \(l) l JOIN \(u) u ON u.session = l.session AND u.unite = l.unite
            """
    }

    func lot(_ id: UUID) async throws -> Lot? {
        try await lots(SQL.query("\(selection) WHERE l.id = $1", id)).first
    }

    struct Filtre: Sendable {
        var session: String
        var unite: String?
        var centre: String?
        var commission: UUID?
        var ids: [UUID]?
    }

    func lots(_ filtre: Filtre) async throws -> [Lot] {
        try await lots(SQL.query(
            """
            \(selection) WHERE l.session = $1 AND ($2::text IS NULL OR l.unite = $2) AND ($3::text IS NULL OR l.centre = $3)
              AND ($4::uuid IS NULL OR l.commission = $4) AND ($5::uuid[] IS NULL OR l.id = ANY($5))
            ORDER BY l.unite, l.numero
            """, filtre.session, filtre.unite, filtre.centre, filtre.commission, filtre.ids))
    }

    /// The lots a grader is assigned to (his subject), within the lots his scopes name.
    func lotsDuCorrecteur(_ sujet: String, parmi ids: [UUID]) async throws -> [Lot] {
        try await lots(SQL.query(
            """
            \(selection) WHERE l.id = ANY($2) AND EXISTS (SELECT 1 FROM \(database.table("correcteurs")) k WHERE k.lot = l.id AND k.sujet = $1)
            ORDER BY l.session, l.unite, l.numero
            """, sujet, ids))
    }

    private func lots(_ query: PostgresQuery) async throws -> [Lot] {
        var lots: [Lot] = []
        for try await texte in try await database.query(query).decode(String.self) {
            lots.append(try JSONDecoder().decode(Lot.self, from: Data(texte.utf8)))
        }
        return lots
    }

    /// The copies of a lot with their grades, by numéro.
    func copies(_ lot: UUID) async throws -> [CopieNotee] {
        let rows = try await database.query(SQL.query(
            """
            SELECT c.numero, n.note, n.revision, c.absence FROM \(database.table("copies")) c
            LEFT JOIN \(database.table("notes")) n ON n.lot = c.lot AND n.numero = c.numero
            WHERE c.lot = $1 ORDER BY c.numero
            """, lot))
        var copies: [CopieNotee] = []
        for try await (numero, note, revision, absence) in rows.decode((String, String?, Int64?, String?).self) {
            let affichage = note.flatMap { try? Note.parse($0, pas: .centieme) }?.affichage
            copies.append(CopieNotee(numero: numero, note: note, affichage: affichage, revision: revision, absence: absence))
        }
        return copies
    }

    /// The state commands are checked against.
    func etat(_ id: UUID) async throws -> LotEtat? {
        let l = database.table("lots"), u = database.table("unites"), s = database.table("sessions")
        let rows = try await database.query(SQL.query(
            """
            SELECT l.session, l.unite, l.nature, l.centre, u.pas, l.ouvert, l.verrouille, 'collecte_notes' = ANY(s.services),
                ARRAY(SELECT sujet FROM \(database.table("correcteurs")) WHERE lot = l.id),
                ARRAY(SELECT numero FROM \(database.table("copies")) WHERE lot = l.id)
            FROM \(l) l JOIN \(u) u ON u.session = l.session AND u.unite = l.unite JOIN \(s) s ON s.code = l.session
            WHERE l.id = $1
            """, id))
        for try await (session, unite, nature, centre, pas, ouvert, verrouille, collecte, correcteurs, copies)
            in rows.decode((String, String, String, String, Int, Bool, Bool, Bool, [String], [String]).self)
        {
            return LotEtat(
                id: id, session: session, unite: unite, nature: nature, centre: centre, pas: pas, ouvert: ouvert,
                verrouille: verrouille, collecteOuverte: collecte, correcteurs: Set(correcteurs), copies: Set(copies))
        }
        return nil
    }

    struct UniteASaisir: Codable, Sendable, ResponseEncodable {
        var unite: String
        var specialite: String
        var epreuve: String
        var forme: String
        var mode: String
        var pas: Int
        var copies: Int
        var copiesSansLot: Int
        var lots: Int
    }

    func unites(session: String) async throws -> [UniteASaisir] {
        let u = database.table("unites"), c = database.table("copies"), l = database.table("lots")
        let rows = try await database.query(SQL.query(
            """
            SELECT u.unite, u.specialite, u.epreuve, u.forme, u.mode, u.pas,
                (SELECT count(*) FROM \(c) c WHERE c.session = u.session AND c.unite = u.unite AND NOT c.retiree)::int,
                (SELECT count(*) FROM \(c) c WHERE c.session = u.session AND c.unite = u.unite AND NOT c.retiree AND c.lot IS NULL)::int,
                (SELECT count(*) FROM \(l) l WHERE l.session = u.session AND l.unite = u.unite)::int
            FROM \(u) u WHERE u.session = $1 ORDER BY u.specialite, u.unite
            """, session))
        var items: [UniteASaisir] = []
        for try await (unite, specialite, epreuve, forme, mode, pas, copies, sansLot, lots)
            in rows.decode((String, String, String, String, String, Int, Int, Int, Int).self)
        {
            items.append(UniteASaisir(
                unite: unite, specialite: specialite, epreuve: epreuve, forme: forme, mode: mode, pas: pas,
                copies: copies, copiesSansLot: sansLot, lots: lots))
        }
        return items
    }

    struct Unite: Sendable {
        var specialite: String
        var epreuve: String
        var forme: String
        var mode: String
        var pas: Int
    }

    func unite(session: String, unite: String) async throws -> Unite? {
        let rows = try await database.query(SQL.query(
            "SELECT specialite, epreuve, forme, mode, pas FROM \(database.table("unites")) WHERE session = $1 AND unite = $2",
            session, unite))
        for try await (specialite, epreuve, forme, mode, pas) in rows.decode((String, String, String, String, Int).self) {
            return Unite(specialite: specialite, epreuve: epreuve, forme: forme, mode: mode, pas: pas)
        }
        return nil
    }

    struct CentreCorrection: Codable, Sendable {
        var uai: String
        var nom: String
        var commune: String
        var roles: [String]
    }

    func centres(session: String) async throws -> [CentreCorrection] {
        let rows = try await database.query(SQL.query(
            "SELECT uai, nom, commune, roles FROM \(database.table("centres")) WHERE session = $1 AND NOT retire ORDER BY nom",
            session))
        var centres: [CentreCorrection] = []
        for try await (uai, nom, commune, roles) in rows.decode((String, String, String, [String]).self) {
            centres.append(CentreCorrection(uai: uai, nom: nom, commune: commune, roles: roles))
        }
        return centres
    }

    func centre(session: String, uai: String) async throws -> CentreCorrection? {
        try await centres(session: session).first { $0.uai == uai }
    }

    // MARK: Commissions

    struct Commission: Codable, Sendable, ResponseEncodable {
        var id: UUID
        var session: String
        var unite: String
        var centre: String
        var nature: String
        var libelle: String
        var jour: String?
    }

    func creer(_ commission: Commission) async throws {
        try await database.query(SQL.query(
            """
            INSERT INTO \(database.table("commissions")) (id, session, unite, centre, nature, libelle, jour)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, commission.id, commission.session, commission.unite, commission.centre, commission.nature,
            commission.libelle, commission.jour))
    }

    func commissions(session: String, unite: String?) async throws -> [Commission] {
        let rows = try await database.query(SQL.query(
            """
            SELECT id, session, unite, centre, nature, libelle, jour FROM \(database.table("commissions"))
            WHERE session = $1 AND ($2::text IS NULL OR unite = $2) ORDER BY unite, libelle
            """, session, unite))
        var items: [Commission] = []
        for try await (id, session, unite, centre, nature, libelle, jour) in rows.decode((UUID, String, String, String, String, String, String?).self) {
            items.append(Commission(id: id, session: session, unite: unite, centre: centre, nature: nature, libelle: libelle, jour: jour))
        }
        return items
    }

    func commission(_ id: UUID) async throws -> Commission? {
        let rows = try await database.query(SQL.query(
            "SELECT id, session, unite, centre, nature, libelle, jour FROM \(database.table("commissions")) WHERE id = $1", id))
        for try await (id, session, unite, centre, nature, libelle, jour) in rows.decode((UUID, String, String, String, String, String, String?).self) {
            return Commission(id: id, session: session, unite: unite, centre: centre, nature: nature, libelle: libelle, jour: jour)
        }
        return nil
    }

    // MARK: Splitting into lots

    /// Splits the copies of a unit not yet in a lot into lots of `taille`, by numéro (by centre
    /// d'épreuve first when `parCentre`: CCF, one établissement per lot, the établissement being
    /// the lot's centre). Three set-based statements whatever the number of copies: read the free
    /// copies, insert the lots (UNNEST), assign the copies (UNNEST join on the primary key).
    /// Returns the ids of the lots created.
    func decouper(
        session: String, unite: String, taille: Int, nature: String, centre: String?, commission: UUID?, jour: String?,
        centresEpreuve: [String]?, parCentre: Bool, outbox: OutboxWriter
    ) async throws -> [UUID] {
        try await database.transaction { connection in
            // One split of a unit at a time (the numbers of the lots follow each other).
            try await connection.query(SQL.query(
                "SELECT pg_advisory_xact_lock(hashtext('evaluation.lots.' || $1 || '.' || $2))", session, unite), logger: logger)
            let c = database.table("copies"), l = database.table("lots")
            let libres = try await connection.query(SQL.query(
                """
                SELECT numero, centre FROM \(c) WHERE session = $1 AND unite = $2 AND lot IS NULL AND NOT retiree
                  AND ($3::text[] IS NULL OR centre = ANY($3)) ORDER BY numero
                """, session, unite, centresEpreuve), logger: logger)
            var groupes: [String: [String]] = [:]
            for try await (numero, centreEpreuve) in libres.decode((String, String).self) {
                groupes[parCentre ? centreEpreuve : "", default: []].append(numero)
            }
            guard !groupes.isEmpty else { return [] }
            var dernier = 0
            for try await n in try await connection.query(SQL.query(
                "SELECT COALESCE(max(numero), 0)::int8 FROM \(l) WHERE session = $1 AND unite = $2", session, unite), logger: logger)
                .decode(Int64.self) { dernier = Int(n) }
            var ids: [UUID] = [], numeros: [Int] = [], centres: [String] = []
            var copies: [String] = [], lotsDesCopies: [UUID] = []
            for groupe in groupes.keys.sorted() {
                let liste = groupes[groupe]!
                for debut in stride(from: 0, to: liste.count, by: taille) {
                    let id = UUID()
                    dernier += 1
                    ids.append(id)
                    numeros.append(dernier)
                    centres.append(parCentre ? groupe : (centre ?? ""))
                    for numero in liste[debut..<min(debut + taille, liste.count)] {
                        copies.append(numero)
                        lotsDesCopies.append(id)
                    }
                }
            }
            try await connection.query(SQL.query(
                """
                INSERT INTO \(l) (id, session, unite, numero, nature, commission, centre, jour)
                SELECT id, $4::text, $5::text, numero, $6::text, $7::uuid, centre, $8::text
                FROM UNNEST($1::uuid[], $2::int8[], $3::text[]) AS x(id, numero, centre)
                """, ids, numeros, centres, session, unite, nature, commission, jour), logger: logger)
            try await connection.query(SQL.query(
                """
                UPDATE \(c) c SET lot = x.lot FROM UNNEST($1::text[], $2::uuid[]) AS x(numero, lot)
                WHERE c.session = $3 AND c.unite = $4 AND c.numero = x.numero
                """, copies, lotsDesCopies, session, unite), logger: logger)
            // Réglementation keeps which lots are still unlocked (closing `collecte_notes`).
            try await outbox.write(
                LotsCrees(session: try SessionCode(session), unite: unite,
                          lots: zip(ids, numeros).map { LotsCrees.Lot(lot: $0.uuidString.lowercased(), numero: $1) }),
                aggregate: "unite:\(session):\(unite)", on: connection, logger: logger)
            return ids
        }
    }

    // MARK: Graders

    struct Affectation: Codable, Sendable {
        var lot: UUID
        var sujet: String
        var nom: String
    }

    /// Assigns graders to lots in one statement; an assignment already there is kept.
    func affecter(_ affectations: [Affectation]) async throws -> Int {
        let rows = try await database.query(SQL.query(
            """
            INSERT INTO \(database.table("correcteurs")) (lot, sujet, nom)
            SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[])
            ON CONFLICT (lot, sujet) DO UPDATE SET nom = excluded.nom
            RETURNING lot
            """, affectations.map(\.lot), affectations.map(\.sujet), affectations.map(\.nom)))
        var count = 0
        for try await _ in rows.decode(UUID.self) { count += 1 }
        return count
    }

    /// Removes a grader from a lot, under the lot's row lock: a worker applying his commands
    /// (which holds the same lock) sees him either assigned or removed, never in between.
    func retirer(lot: UUID, sujet: String) async throws -> Bool {
        try await database.transaction { connection in
            try await connection.query(SQL.query("SELECT 1 FROM \(database.table("lots")) WHERE id = $1 FOR UPDATE", lot), logger: logger)
            let rows = try await connection.query(SQL.query(
                "DELETE FROM \(database.table("correcteurs")) WHERE lot = $1 AND sujet = $2 RETURNING lot", lot, sujet), logger: logger)
            for try await _ in rows.decode(UUID.self) { return true }
            return false
        }
    }

    /// Tells every API process that these lots changed (their state, their graders), after commit.
    func signaler(_ ids: [UUID]) async throws {
        for id in ids { cache.oublier(id) }
        try await AnnoncesSaisies.signalerLots(ids, database: database)
    }

    // MARK: Opening and closing

    /// Opens or closes the collection of the given lots, or of every lot of a unit; returns how
    /// many changed. Locked lots stay locked.
    func ouvrir(_ ouvert: Bool, session: String, unite: String?, lots: [UUID]?) async throws -> Int {
        let rows = try await database.query(SQL.query(
            """
            UPDATE \(database.table("lots")) SET ouvert = $1
            WHERE session = $2 AND ($3::text IS NULL OR unite = $3) AND ($4::uuid[] IS NULL OR id = ANY($4)) AND ouvert <> $1
            RETURNING id
            """, ouvert, session, unite, lots))
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        try await signaler(ids)
        return ids.count
    }
}
