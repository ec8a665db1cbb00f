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

    func centresEpreuve(_ session: SessionCode, parmi autorises: [String], on connection: PostgresConnection) async throws -> [CentreEpreuve] {
        try await referentiel.centres(session: session, on: connection)
            .filter { $0.estCentreEpreuve && (autorises.isEmpty || autorises.contains($0.uai)) }
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
            let centres = try await centresEpreuve(code, parmi: regroupement?.centres ?? [], on: connection)
            let epreuves = try await affectations.aPlacer(session: code.value, regroupement: regroupement?.id, reprendre: reprendre, on: connection)
            var charges = try await affectations.charges(session: code.value, on: connection)
            // Re-placing: what these épreuves held no longer counts.
            for epreuve in epreuves {
                guard let centre = epreuve.centre, var besoin = charges[centre]?[epreuve.seance] else { continue }
                besoin = besoin - .candidat(salleSeparee: epreuve.salleSeparee, majoration: epreuve.majoration)
                charges[centre]![epreuve.seance] = besoin
            }
            let parCandidat = Dictionary(grouping: epreuves, by: \.candidature)
            let candidats = parCandidat.values.map { liste in
                let e = liste[0]
                return AffectationAutomatique.Candidat(
                    candidature: e.candidature, uai: e.uai, departement: e.departement, salleSeparee: e.salleSeparee,
                    majoration: e.majoration, seances: liste.map { ($0.unite, $0.seance) })
            }.sorted { $0.candidature.uuidString < $1.candidature.uuidString }
            let algorithme = AffectationAutomatique(
                centres: centres.map { .init(uai: $0.uai, nom: $0.nom, places: $0.salles.map(\.places)) }, charges: charges)
            // Seconds of CPU for tens of thousands of candidates: off the cooperative pool.
            let resultat = try await BlockingWork.run {
                var algorithme = algorithme
                return algorithme.executer(candidats)
            }
            let centreDe = Dictionary(resultat.placements.map { ($0.candidature, $0.centre) }, uniquingKeysWith: { a, _ in a })
            try await affectations.placer(
                epreuves.compactMap { e in centreDe[e.candidature].map { (e.candidature, e.unite, $0) } },
                regroupement: regroupement?.id, origine: "automatique", on: connection)
            let motifDe = Dictionary(resultat.nonPlaces.map { ($0.candidature, $0.motif) }, uniquingKeysWith: { a, _ in a })
            try await affectations.nonPlacees(
                epreuves.compactMap { e in motifDe[e.candidature].map { (e.candidature, e.unite, $0) } }, on: connection)
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            let identites = try await identites(Array(motifDe.keys), on: connection)
            let nonPlaces = resultat.nonPlaces.map { np in
                Rapport.NonPlace(
                    candidature: np.candidature, numeroCandidat: identites[np.candidature]?.numero ?? "", nom: identites[np.candidature]?.nom ?? "",
                    unites: (parCandidat[np.candidature] ?? []).map(\.unite).sorted(), motif: np.motif)
            }.sorted { ($0.nom, $0.numeroCandidat) < ($1.nom, $1.numeroCandidat) }
            return Rapport(
                candidats: candidats.count, epreuves: epreuves.count, candidatsPlaces: centreDe.count,
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
            let toutes = try await affectations.aPlacer(session: code.value, regroupement: nil, reprendre: true, candidature: candidature, on: connection)
            guard !toutes.isEmpty else {
                throw ServiceError.notFound("La candidature \(candidature.uuidString.lowercased()) n'a pas d'épreuve ponctuelle à placer dans la session \(code.value).")
            }
            if let unites, let manquante = unites.first(where: { u in !toutes.contains { $0.unite == u } }) {
                throw ServiceError.invalid("affectation.unite", "L'unité \(manquante) n'est pas une épreuve ponctuelle de ce candidat.",
                                           details: [.init(location: "unites", code: "affectation.unite", message: "Unité \(manquante) inconnue pour ce candidat.")])
            }
            let epreuves = toutes.filter { unites == nil || unites!.contains($0.unite) }
            try await placerSousCapacite(epreuves, centre: uai, session: code, regroupement: nil, on: connection)
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            return Manuel(centre: uai, epreuvesPlacees: epreuves.count, affectationsPubliees: bilan.affectationsPubliees)
        }
    }

    /// Every épreuve-candidat of a regroupement to one centre, if its rooms hold them all.
    func regroupementVersCentre(_ regroupement: Regroupement, centre uai: String, par appelant: InternalIdentity) async throws -> Manuel {
        let code = try SessionCode(regroupement.session)
        return try await database.transaction { connection in
            try await verrouiller(code.value, on: connection)
            let epreuves = try await affectations.aPlacer(session: code.value, regroupement: regroupement.id, reprendre: true, on: connection)
            guard !epreuves.isEmpty else {
                throw ServiceError.conflict("regroupement.vide", "Le regroupement « \(regroupement.libelle) » ne contient aucune épreuve ponctuelle à placer.")
            }
            if !regroupement.centres.isEmpty && !regroupement.centres.contains(uai) {
                throw ServiceError.invalid("affectation.centre", "Le centre \(uai) ne fait pas partie des centres du regroupement « \(regroupement.libelle) ».",
                                           details: [.init(location: "centre", code: "affectation.centre", message: "Centre hors du regroupement.")])
            }
            try await placerSousCapacite(epreuves, centre: uai, session: code, regroupement: regroupement.id, on: connection)
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            return Manuel(centre: uai, epreuvesPlacees: epreuves.count, affectationsPubliees: bilan.affectationsPubliees)
        }
    }

    private func placerSousCapacite(_ epreuves: [AffectationRepository.EpreuveAPlacer], centre uai: String, session code: SessionCode,
                                    regroupement: UUID?, on connection: PostgresConnection) async throws {
        guard let centre = try await referentiel.centre(uai, session: code, on: connection), centre.estCentreEpreuve else {
            throw ServiceError.invalid("affectation.centre", "L'établissement \(uai) n'est pas un centre d'épreuve de la session \(code.value).",
                                       details: [.init(location: "centre", code: "affectation.centre", message: "Pas un centre d'épreuve de la session.")])
        }
        var charges = try await affectations.charges(session: code.value, on: connection)[uai] ?? [:]
        for e in epreuves {
            let besoin = Besoin.candidat(salleSeparee: e.salleSeparee, majoration: e.majoration)
            if e.centre != uai { charges[e.seance, default: Besoin()] = charges[e.seance, default: Besoin()] + besoin }
        }
        for (seance, besoin) in charges.sorted(by: { $0.key < $1.key }) where epreuves.contains(where: { $0.seance == seance }) {
            if case .failure(let refus) = Repartition.calculer(places: centre.salles.map(\.places), besoin: besoin) {
                throw ServiceError.conflict(
                    "affectation.capacite",
                    "Le centre \(centre.nom) (\(uai)) ne peut pas accueillir ces candidats à la séance du \(AffectationAutomatique.seance(seance)) — \(refus.message).")
            }
        }
        try await affectations.placer(epreuves.map { ($0.candidature, $0.unite, uai) }, regroupement: regroupement, origine: "manuel", on: connection)
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
