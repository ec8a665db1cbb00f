import Contracts
import Domain
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// The assignment use cases: automatic (a regroupement or the whole session), by hand (a
/// candidate, or a whole regroupement, to one centre), CCF placement. Each runs in one
/// transaction under the session's placement lock, capacities checked, and ends with the
/// `Suites` (events, copy lists, convocations).
struct Affectations: Sendable {
    let referentiel: ReferentielRepository
    let affectations: AffectationRepository
    let suites: Suites

    var database: Database { affectations.database }
    var logger: Logger { database.logger }

    func session(_ code: SessionCode) async throws -> SessionOrganisation {
        guard let session = try await referentiel.session(code) else {
            throw ServiceError.notFound("La session \(code.value) est inconnue du service d'organisation (pas encore ouverte ?).")
        }
        return session
    }

    /// Placement changes of one session are serialized: a capacity checked stays true until commit.
    func verrouiller(_ session: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query("SELECT pg_advisory_xact_lock(hashtext('organisation.placement.' || $1))", session), logger: logger)
    }

    /// The assignment rules over this transaction's épreuves-candidats.
    func regles(on connection: PostgresConnection) -> AffectationCentres<AffectationRepository.EnTransaction> {
        AffectationCentres(store: affectations.dans(connection, referentiel: referentiel))
    }

    // MARK: Automatic

    struct Rapport: ResponseEncodable, Sendable {
        struct NonPlace: Codable, Sendable {
            var candidature: UUID
            var numeroCandidat: String
            var nom: String
            var unites: [String]
            var motif: String
        }

        var candidats: Int
        var epreuves: Int
        var candidatsPlaces: Int
        var epreuvesPlacees: Int
        var groupesScindes: Int
        /// Every candidate left unplaced, with why.
        var nonPlaces: [NonPlace]
        var affectationsPubliees: Int
        var millisecondes: Int
    }

    func automatique(session code: SessionCode, regroupement: Regroupement?, reprendre: Bool, par appelant: InternalIdentity) async throws -> Rapport {
        let debut = ContinuousClock.now
        let session = try await session(code)
        guard !session.close else { throw Self.close(code) }
        return try await database.transaction { connection in
            try await verrouiller(code.value, on: connection)
            let fait = try await regles(on: connection).automatique(session: code, regroupement: regroupement, reprendre: reprendre)
            let (epreuves, resultat) = (fait.epreuves, fait.resultat)
            let parCandidat = Dictionary(grouping: epreuves, by: \.candidature)
            let centreDe = Dictionary(resultat.placements.map { ($0.candidature, $0.centre) }, uniquingKeysWith: { a, _ in a })
            let motifDe = Dictionary(resultat.nonPlaces.map { ($0.candidature, $0.motif) }, uniquingKeysWith: { a, _ in a })
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            let identites = try await identites(Array(motifDe.keys), on: connection)
            let nonPlaces = resultat.nonPlaces.map { np in
                Rapport.NonPlace(
                    candidature: np.candidature, numeroCandidat: identites[np.candidature]?.numero ?? "", nom: identites[np.candidature]?.nom ?? "",
                    unites: (parCandidat[np.candidature] ?? []).map(\.unite).sorted(), motif: np.motif)
            }.sorted { ($0.nom, $0.numeroCandidat) < ($1.nom, $1.numeroCandidat) }
            return Rapport(
                candidats: fait.candidats, epreuves: epreuves.count, candidatsPlaces: centreDe.count,
                epreuvesPlacees: epreuves.filter { centreDe[$0.candidature] != nil }.count, groupesScindes: resultat.groupesScindes,
                nonPlaces: nonPlaces, affectationsPubliees: bilan.affectationsPubliees,
                millisecondes: Int((ContinuousClock.now - debut).components.seconds * 1000
                                   + (ContinuousClock.now - debut).components.attoseconds / 1_000_000_000_000_000))
        }
    }

    func identites(_ ids: [UUID], on connection: PostgresConnection) async throws -> [UUID: (numero: String, nom: String)] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query(SQL.query(
            "SELECT id, numero, upper(nom_famille) || ' ' || prenoms FROM \(database.table("candidatures")) WHERE id = ANY($1)", ids), logger: logger)
        var resultat: [UUID: (numero: String, nom: String)] = [:]
        for try await (id, numero, nom) in rows.decode((UUID, String, String).self) { resultat[id] = (numero, nom) }
        return resultat
    }

    // MARK: By hand

    struct Manuel: ResponseEncodable, Sendable {
        var centre: String
        var epreuvesPlacees: Int
        var affectationsPubliees: Int
    }

    /// Places the ponctual épreuves of a candidate (all, or `unites`) in `centre`, if its rooms
    /// can hold him at each sitting.
    func manuel(session code: SessionCode, candidature: UUID, centre uai: String, unites: [String]?, par appelant: InternalIdentity) async throws -> Manuel {
        _ = try await session(code)
        return try await database.transaction { connection in
            try await verrouiller(code.value, on: connection)
            let epreuves = try await regles(on: connection).candidat(session: code, candidature: candidature, centre: uai, unites: unites)
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            return Manuel(centre: uai, epreuvesPlacees: epreuves.count, affectationsPubliees: bilan.affectationsPubliees)
        }
    }

    /// Every épreuve-candidat of a regroupement to one centre, if its rooms hold them all.
    func regroupementVersCentre(_ regroupement: Regroupement, centre uai: String, par appelant: InternalIdentity) async throws -> Manuel {
        let code = try SessionCode(regroupement.session)
        return try await database.transaction { connection in
            try await verrouiller(code.value, on: connection)
            let epreuves = try await regles(on: connection).regroupement(regroupement, centre: uai)
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            return Manuel(centre: uai, epreuvesPlacees: epreuves.count, affectationsPubliees: bilan.affectationsPubliees)
        }
    }

    // MARK: CCF

    /// Places the unplaced CCF épreuves of the candidates chosen (an établissement's, a
    /// spécialité's, or a list) in a centre épreuve.
    func ccf(session code: SessionCode, centre uai: String, etablissement: String?, specialite: String?, candidatures: [UUID]?,
             par appelant: InternalIdentity) async throws -> Manuel {
        _ = try await session(code)
        return try await database.transaction { connection in
            try await verrouiller(code.value, on: connection)
            guard let centre = try await referentiel.centre(uai, session: code, on: connection), centre.estCentreEpreuve || centre.gestionAutonome else {
                throw ServiceError.invalid("ccf.centre", "L'établissement \(uai) n'est ni centre d'épreuve ni en gestion autonome dans la session \(code.value).",
                                           details: [.init(location: "centre", code: "ccf.centre", message: "Centre inconnu ou sans rôle épreuve.")])
            }
            let rows = try await connection.query(SQL.query(
                """
                UPDATE \(database.table("affectations")) f SET centre = $2, origine = 'manuel', motif = NULL, a_publier = true
                FROM \(database.table("candidatures")) c
                WHERE c.id = f.candidature AND f.session = $1 AND f.mode = 'ccf' AND f.centre IS NULL AND NOT c.annulee
                  AND ($3::text IS NULL OR c.uai = $3) AND ($4::text IS NULL OR c.specialite = $4) AND ($5::uuid[] IS NULL OR c.id = ANY($5))
                RETURNING f.unite
                """, code.value, uai, etablissement, specialite, candidatures), logger: logger)
            var n = 0
            for try await _ in rows.decode(String.self) { n += 1 }
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            return Manuel(centre: uai, epreuvesPlacees: n, affectationsPubliees: bilan.affectationsPubliees)
        }
    }

    static func close(_ code: SessionCode) -> ServiceError {
        ServiceError.conflict("session.close", "La session \(code.value) est close : son organisation ne change plus.")
    }
}
