import Contracts
import Domain
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// The SQL of épreuves-candidats and their placement in centres: what to place, what the
/// centres' sittings already hold, set-based writes of placements (UNNEST), lists, the global
/// check, regroupements.
struct AffectationRepository: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    // MARK: Regroupements

    func creer(_ r: Regroupement) async throws -> Regroupement {
        do {
            try await database.query(SQL.query(
                """
                INSERT INTO \(database.table("regroupements")) (id, session, libelle, specialites, uais, departements, categories, unites, centres, cree_par)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """, r.id, r.session, r.libelle, r.specialites, r.uais, r.departements, r.categories, r.unites, r.centres, r.creePar))
        } catch where error.violationUnicite {
            throw ServiceError.invalid("regroupement.libelle_unique", "Un regroupement « \(r.libelle) » existe déjà dans la session \(r.session).",
                                       details: [.init(location: "libelle", code: "regroupement.libelle_unique", message: "Libellé déjà utilisé.")])
        }
        return try await regroupement(r.id)!
    }

    func regroupement(_ id: UUID) async throws -> Regroupement? {
        try await regroupements(session: nil, id: id).first
    }

    /// The regroupements of a session (or one), with the counts of their épreuves-candidats.
    func regroupements(session: String?, id: UUID? = nil) async throws -> [Regroupement] {
        let r = database.table("regroupements")
        let rows = try await database.query(SQL.query(
            """
            SELECT json_build_object('id', r.id, 'session', r.session, 'libelle', r.libelle, 'specialites', r.specialites, 'uais', r.uais,
                'departements', r.departements, 'categories', r.categories, 'unites', r.unites, 'centres', r.centres,
                'creePar', r.cree_par, 'creeLe', to_char(r.cree_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                'epreuves', (SELECT count(*) FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
                             WHERE \(condition("r"))),
                'placees', (SELECT count(*) FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
                            WHERE \(condition("r")) AND f.centre IS NOT NULL),
                'candidats', (SELECT count(DISTINCT f.candidature) FROM \(database.table("affectations")) f
                              JOIN \(database.table("candidatures")) c ON c.id = f.candidature WHERE \(condition("r"))))::text
            FROM \(r) r WHERE ($1::text IS NULL OR r.session = $1) AND ($2::uuid IS NULL OR r.id = $2) ORDER BY r.libelle
            """, session, id))
        var items: [Regroupement] = []
        for try await texte in rows.decode(String.self) { items.append(try JSONDecoder().decode(Regroupement.self, from: Data(texte.utf8))) }
        return items
    }

    func supprimer(_ id: UUID) async throws {
        try await database.query(SQL.query("DELETE FROM \(database.table("regroupements")) WHERE id = $1", id))
    }

    /// The épreuves-candidats (`f`, candidature `c`) a regroupement (`r`) holds: ponctual units of
    /// candidatures matching its criteria.
    func condition(_ r: String) -> String {
        """
        f.session = \(r).session AND f.mode = 'ponctuel'
        AND (cardinality(\(r).specialites) = 0 OR c.specialite = ANY(\(r).specialites))
        AND (cardinality(\(r).uais) = 0 OR c.uai = ANY(\(r).uais))
        AND (cardinality(\(r).departements) = 0 OR c.departement = ANY(\(r).departements))
        AND (cardinality(\(r).categories) = 0 OR c.categorie = ANY(\(r).categories))
        AND (cardinality(\(r).unites) = 0 OR f.unite = ANY(\(r).unites))
        """
    }

    // MARK: What to place

    struct EpreuveAPlacer: Sendable {
        var candidature: UUID
        var unite: String
        var specialite: String
        var debut: String?
        var centre: String?
        var uai: String?
        var departement: String?
        var salleSeparee: Bool
        var majoration: Int
        var seance: String { debut ?? "\(specialite)/\(unite)" }
    }

    /// Ponctual épreuves-candidats of the session (of the regroupement when given): the unplaced
    /// ones, or all of them when `reprendre`.
    func aPlacer(session: String, regroupement: UUID?, reprendre: Bool, candidature: UUID? = nil, on connection: PostgresConnection) async throws -> [EpreuveAPlacer] {
        let regroupementCondition = regroupement == nil ? "f.mode = 'ponctuel'" : condition("r")
        let rows = try await connection.query(SQL.query(
            """
            SELECT f.candidature, f.unite, f.specialite, f.debut, f.centre, c.uai, c.departement, c.salle_separee, c.majoration_pourcent
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            LEFT JOIN \(database.table("regroupements")) r ON r.id = $2
            WHERE f.session = $1 AND NOT c.annulee AND \(regroupementCondition) AND ($3 OR f.centre IS NULL)
              AND ($4::uuid IS NULL OR f.candidature = $4)
            ORDER BY f.candidature, f.unite
            FOR UPDATE OF f
            """, session, regroupement, reprendre, candidature), logger: logger)
        var items: [EpreuveAPlacer] = []
        for try await (id, unite, specialite, debut, centre, uai, departement, separee, majoration) in rows.decode(
            (UUID, String, String, String?, String?, String?, String?, Bool, Int).self)
        {
            items.append(EpreuveAPlacer(candidature: id, unite: unite, specialite: specialite, debut: debut, centre: centre, uai: uai,
                                        departement: departement, salleSeparee: separee, majoration: majoration))
        }
        return items
    }

    /// What every sitting of every centre holds now (ponctual épreuves placed), by need.
    func charges(session: String, on connection: PostgresConnection? = nil) async throws -> [String: [String: Besoin]] {
        let query = SQL.query(
            """
            SELECT f.centre, COALESCE(f.debut, f.specialite || '/' || f.unite), c.salle_separee, c.majoration_pourcent > 0, count(*)::int8
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            WHERE f.session = $1 AND f.mode = 'ponctuel' AND f.centre IS NOT NULL AND NOT c.annulee
            GROUP BY 1, 2, 3, 4
            """, session)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        var charges: [String: [String: Besoin]] = [:]
        for try await (centre, seance, separee, majore, nombre) in rows.decode((String, String, Bool, Bool, Int64).self) {
            var besoin = charges[centre]?[seance] ?? Besoin()
            if separee { besoin.separees += Int(nombre) } else if majore { besoin.majores += Int(nombre) } else { besoin.ordinaires += Int(nombre) }
            charges[centre, default: [:]][seance] = besoin
        }
        return charges
    }

    // MARK: Writes (inside the caller's transaction)

    /// Places épreuves-candidats in centres (set-based). A changed centre drops the room and table
    /// and marks the placement to publish.
    func placer(_ placements: [(candidature: UUID, unite: String, centre: String)], regroupement: UUID?, origine: String,
                on connection: PostgresConnection) async throws {
        for debut in stride(from: 0, to: placements.count, by: 20_000) {
            let lot = placements[debut..<min(debut + 20_000, placements.count)]
            try await connection.query(SQL.query(
                """
                UPDATE \(database.table("affectations")) f SET
                    salle = CASE WHEN f.centre = x.centre THEN f.salle END,
                    place = CASE WHEN f.centre = x.centre THEN f.place END,
                    a_publier = f.a_publier OR f.centre IS DISTINCT FROM x.centre,
                    centre = x.centre, regroupement = COALESCE($4, f.regroupement), origine = $5, motif = NULL
                FROM UNNEST($1::uuid[], $2::text[], $3::text[]) AS x (candidature, unite, centre)
                WHERE f.candidature = x.candidature AND f.unite = x.unite
                """, lot.map(\.candidature), lot.map(\.unite), lot.map(\.centre), regroupement, origine), logger: logger)
        }
    }

    /// Records why épreuves-candidats could not be placed (they lose any previous centre).
    func nonPlacees(_ motifs: [(candidature: UUID, unite: String, motif: String)], on connection: PostgresConnection) async throws {
        guard !motifs.isEmpty else { return }
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("affectations")) f SET a_publier = f.a_publier OR f.centre IS NOT NULL,
                centre = NULL, salle = NULL, place = NULL, motif = x.motif, origine = NULL
            FROM UNNEST($1::uuid[], $2::text[], $3::text[]) AS x (candidature, unite, motif)
            WHERE f.candidature = x.candidature AND f.unite = x.unite
            """, motifs.map(\.candidature), motifs.map(\.unite), motifs.map(\.motif)), logger: logger)
    }

    // MARK: Lists

    struct Filtre: Sendable {
        var session: String
        var centre: String?
        var specialite: String?
        var unite: String?
        var uais: [String]?
        var mode: String?
        /// `placee` (centre given), `non_placee`, `sans_salle` (placed, not seated).
        var etat: String?
        var recherche: String?
    }

    /// An épreuve-candidat as lists show it.
    struct EpreuveCandidat: Codable, Sendable {
        var candidature: UUID
        var numeroCandidat: String
        var nom: String
        var prenoms: String
        var etablissement: String?
        var specialite: String
        var epreuve: String
        var unite: String
        var mode: String
        var centre: String?
        var salle: String?
        var place: Int?
        var debut: String?
        var dureeMinutes: Int?
        var amenagements: [MesureAmenagement]
        var origine: String?
        var motif: String?
        var numeroAnonymat: String?
    }

    func liste(_ filtre: Filtre, pagination: Pagination, avecAnonymat: Bool = false) async throws -> (items: [EpreuveCandidat], total: Int) {
        var binds = PostgresBindings()
        func lier(_ valeur: some PostgresDynamicTypeEncodable & Sendable) -> String {
            binds.append(valeur)
            return "$\(binds.count)"
        }
        var conditions = ["f.session = \(lier(filtre.session))", "NOT c.annulee"]
        if let centre = filtre.centre { conditions.append("f.centre = \(lier(centre))") }
        if let specialite = filtre.specialite { conditions.append("f.specialite = \(lier(specialite))") }
        if let unite = filtre.unite { conditions.append("f.unite = \(lier(unite))") }
        if let uais = filtre.uais { conditions.append("c.uai = ANY(\(lier(uais)))") }
        if let mode = filtre.mode { conditions.append("f.mode = \(lier(mode))") }
        switch filtre.etat {
        case "placee": conditions.append("f.centre IS NOT NULL")
        case "non_placee": conditions.append("f.centre IS NULL")
        case "sans_salle": conditions.append("f.centre IS NOT NULL AND f.mode = 'ponctuel' AND f.salle IS NULL")
        default: break
        }
        if let recherche = filtre.recherche {
            let p = lier("%" + recherche.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%")
            conditions.append("(c.nom_famille ILIKE \(p) OR c.prenoms ILIKE \(p) OR c.numero ILIKE \(p))")
        }
        let condition = conditions.joined(separator: " AND ")
        let from = """
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            LEFT JOIN \(database.table("anonymats")) a ON a.candidature = f.candidature AND a.unite = f.unite
            """
        let rows = try await database.query(PostgresQuery(unsafeSQL: """
            SELECT json_build_object('candidature', f.candidature, 'numeroCandidat', c.numero, 'nom', c.nom_famille, 'prenoms', c.prenoms,
                'etablissement', c.uai, 'specialite', f.specialite, 'epreuve', f.epreuve, 'unite', f.unite, 'mode', f.mode, 'centre', f.centre,
                'salle', f.salle, 'place', f.place, 'debut', f.debut, 'dureeMinutes', f.duree_minutes, 'amenagements', c.amenagements,
                'origine', f.origine, 'motif', f.motif, 'numeroAnonymat', \(avecAnonymat ? "a.numero" : "NULL"))::text
            \(from) WHERE \(condition)
            ORDER BY c.nom_famille, c.prenoms, c.numero, f.debut NULLS LAST, f.unite LIMIT \(pagination.taille) OFFSET \(pagination.offset)
            """, binds: binds))
        var items: [EpreuveCandidat] = []
        for try await texte in rows.decode(String.self) { items.append(try JSONDecoder().decode(EpreuveCandidat.self, from: Data(texte.utf8))) }
        let total = try await database.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int8 \(from) WHERE \(condition)", binds: binds))
        var n = 0
        for try await valeur in total.decode(Int64.self) { n = Int(valeur) }
        return (items, n)
    }

    // MARK: Global check

    struct NonPlacee: Codable, Sendable {
        var candidature: UUID
        var numeroCandidat: String
        var nom: String
        var specialite: String
        var unite: String
        var mode: String
        var raison: String
    }

    struct ControleGlobal: ResponseEncodable, Sendable {
        struct Seance: Codable, Sendable {
            var centre: String
            var nom: String
            var debut: String
            var inscrits: Int
            var capacite: Int
            var raison: String
        }

        var epreuvesCandidats: Int
        var placees: Int
        var nonPlacees: Int
        var sansSalle: Int
        var sansDate: Int
        var ccfNonPlacees: Int
        /// Up to 200 unplaced épreuves-candidats with their reason.
        var detailNonPlacees: [NonPlacee]
        var centresEnSurcapacite: [Seance]
        /// Everything placed, seated and dated, and no sitting over its rooms.
        var complete: Bool
    }

    /// Every épreuve-candidat left unplaced (with why), placed but not seated or not dated, and
    /// every sitting its centre's rooms cannot hold.
    func verifier(session: String, centres: [CentreEpreuve]) async throws -> ControleGlobal {
        let rows = try await database.query(SQL.query(
            """
            SELECT count(*)::int8,
                count(*) FILTER (WHERE f.centre IS NOT NULL)::int8,
                count(*) FILTER (WHERE f.centre IS NULL)::int8,
                count(*) FILTER (WHERE f.centre IS NOT NULL AND f.mode = 'ponctuel' AND f.salle IS NULL)::int8,
                count(*) FILTER (WHERE f.mode = 'ponctuel' AND f.debut IS NULL)::int8,
                count(*) FILTER (WHERE f.mode = 'ccf' AND f.centre IS NULL)::int8
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            WHERE f.session = $1 AND NOT c.annulee
            """, session))
        var comptes: [Int] = [0, 0, 0, 0, 0, 0]
        for try await (a, b, c, d, e, g) in rows.decode((Int64, Int64, Int64, Int64, Int64, Int64).self) { comptes = [a, b, c, d, e, g].map { Int($0) } }
        let detail = try await database.query(SQL.query(
            """
            SELECT f.candidature, c.numero, c.nom_famille || ' ' || c.prenoms, f.specialite, f.unite, f.mode,
                COALESCE(f.motif, CASE WHEN f.mode = 'ccf' THEN 'CCF à placer par le gestionnaire (établissement hors gestion autonome)'
                                       ELSE 'pas encore affectée à un centre' END)
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            WHERE f.session = $1 AND NOT c.annulee AND f.centre IS NULL ORDER BY c.nom_famille, c.prenoms, f.unite LIMIT 200
            """, session))
        var nonPlacees: [NonPlacee] = []
        for try await (id, numero, nom, specialite, unite, mode, raison) in detail.decode((UUID, String, String, String, String, String, String).self) {
            nonPlacees.append(NonPlacee(candidature: id, numeroCandidat: numero, nom: nom, specialite: specialite, unite: unite, mode: mode, raison: raison))
        }
        let charges = try await charges(session: session)
        var surcapacite: [ControleGlobal.Seance] = []
        let parUAI = Dictionary(centres.map { ($0.uai, $0) }, uniquingKeysWith: { a, _ in a })
        for (uai, seances) in charges.sorted(by: { $0.key < $1.key }) {
            let centre = parUAI[uai]
            let places = centre?.salles.map(\.places) ?? []
            for (seance, besoin) in seances.sorted(by: { $0.key < $1.key }) {
                var raison: String?
                if centre == nil || centre?.estCentreEpreuve == false {
                    raison = "le centre \(uai) n'est plus centre d'épreuve de la session"
                } else if case .failure(let refus) = Repartition.calculer(places: places, besoin: besoin) {
                    raison = refus.message
                }
                if let raison {
                    surcapacite.append(.init(centre: uai, nom: centre?.nom ?? uai, debut: seance, inscrits: besoin.total,
                                             capacite: places.reduce(0, +), raison: raison))
                }
            }
        }
        return ControleGlobal(
            epreuvesCandidats: comptes[0], placees: comptes[1], nonPlacees: comptes[2], sansSalle: comptes[3], sansDate: comptes[4],
            ccfNonPlacees: comptes[5], detailNonPlacees: nonPlacees, centresEnSurcapacite: surcapacite,
            complete: comptes[2] == 0 && comptes[3] == 0 && comptes[4] == 0 && surcapacite.isEmpty)
    }
}
