import Contracts
import Domain
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// Seating in rooms, by the gestionnaire or by the centre épreuve the gestionnaire delegated it
/// to: delegations, automatic seating of a sitting (alphabetical or shuffled, table numbers), a
/// candidate moved to another room, a date fixed locally, the capacity view of centres.
struct Placements: Sendable {
    let referentiel: ReferentielRepository
    let affectations: Affectations
    let suites: Suites

    var database: Database { affectations.database }
    var logger: Logger { database.logger }

    // MARK: Delegations

    struct Delegation: Codable, Sendable, ResponseEncodable {
        var centre: String
        var specialite: String
        var unite: String
        var date: Bool
        var par: String
    }

    func deleguer(session code: SessionCode, _ d: Delegation) async throws -> Delegation {
        guard let centre = try await referentiel.centre(d.centre, session: code), centre.estCentreEpreuve else {
            throw ServiceError.invalid("delegation.centre", "L'établissement \(d.centre) n'est pas un centre d'épreuve de la session \(code.value).",
                                       details: [.init(location: "centre", code: "delegation.centre", message: "Pas un centre d'épreuve.")])
        }
        let rows = try await database.query(SQL.query(
            "SELECT 1 FROM \(database.table("unites")) WHERE session = $1 AND specialite = $2 AND unite = $3", code.value, d.specialite, d.unite))
        var connue = false
        for try await _ in rows.decode(Int.self) { connue = true }
        guard connue else {
            throw ServiceError.invalid("delegation.unite", "L'unité \(d.unite) de la spécialité \(d.specialite) n'existe pas dans le règlement publié de la session.",
                                       details: [.init(location: "unite", code: "delegation.unite", message: "Unité inconnue.")])
        }
        try await database.query(SQL.query(
            """
            INSERT INTO \(database.table("delegations")) (session, centre, specialite, unite, date, par) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (session, centre, specialite, unite) DO UPDATE SET date = excluded.date, par = excluded.par, le = now()
            """, code.value, d.centre, d.specialite, d.unite, d.date, d.par))
        return d
    }

    func delegations(session code: SessionCode, centre: String?) async throws -> [Delegation] {
        let rows = try await database.query(SQL.query(
            """
            SELECT centre, specialite, unite, date, par FROM \(database.table("delegations"))
            WHERE session = $1 AND ($2::text IS NULL OR centre = $2) ORDER BY centre, specialite, unite
            """, code.value, centre))
        var items: [Delegation] = []
        for try await (centre, specialite, unite, date, par) in rows.decode((String, String, String, Bool, String).self) {
            items.append(Delegation(centre: centre, specialite: specialite, unite: unite, date: date, par: par))
        }
        return items
    }

    func retirerDelegation(session code: SessionCode, centre: String, specialite: String, unite: String) async throws {
        try await database.query(SQL.query(
            "DELETE FROM \(database.table("delegations")) WHERE session = $1 AND centre = $2 AND specialite = $3 AND unite = $4",
            code.value, centre, specialite, unite))
    }

    /// The gestionnaire, or the centre itself for a unit delegated to it (`date`: with its date).
    func autoriser(_ appelant: InternalIdentity, session: String, centre: String, unites: [(specialite: String, unite: String)], date: Bool = false,
                   on connection: PostgresConnection) async throws {
        try Portee.centre(appelant, centre)
        guard appelant.role == .etablissement else { return }
        let rows = try await connection.query(SQL.query(
            "SELECT specialite, unite, date FROM \(database.table("delegations")) WHERE session = $1 AND centre = $2", session, centre), logger: logger)
        var deleguees: [String: Bool] = [:]
        for try await (specialite, unite, avecDate) in rows.decode((String, String, Bool).self) { deleguees["\(specialite)/\(unite)"] = avecDate }
        for u in unites {
            guard let avecDate = deleguees["\(u.specialite)/\(u.unite)"], !date || avecDate else {
                throw ServiceError.forbidden(
                    "Accès refusé : \(date ? "la date" : "le placement en salle") de l'unité \(u.unite) (\(u.specialite)) n'a pas été délégué(e) à votre centre par la division des examens.")
            }
        }
    }

    // MARK: Automatic seating

    enum Ordre: String, Codable, Sendable, CaseIterable {
        case alphabetique
        case aleatoire
    }

    struct RapportPlacement: ResponseEncodable, Sendable {
        struct SalleOccupee: Codable, Sendable {
            var salle: String
            var places: Int
            var occupees: Int
            var usage: String
        }

        var centre: String
        var debut: String?
        var unites: [String]
        var candidats: Int
        var salles: [SalleOccupee]
        var affectationsPubliees: Int
        var convocationsRegenerees: Int
    }

    struct Assis: Sendable {
        var candidature: UUID
        var unite: String
        var specialite: String
        var nom: String
        var salleSeparee: Bool
        var majoration: Int
    }

    /// Seats every candidate of the sitting of (`specialite`, `unite`) in the centre — every unit
    /// of the same date and time shares the rooms: separate rooms first, then extra-time rooms,
    /// then the others; within each, by name or shuffled; tables numbered from 1 in each room.
    func placer(session code: SessionCode, centre uai: String, specialite: String, unite: String, ordre: Ordre,
                par appelant: InternalIdentity) async throws -> RapportPlacement {
        try await database.transaction { connection in
            try await affectations.verrouiller(code.value, on: connection)
            guard let centre = try await referentiel.centre(uai, session: code, on: connection), centre.estCentreEpreuve else {
                throw ServiceError.notFound("L'établissement \(uai) n'est pas un centre d'épreuve de la session \(code.value).")
            }
            let debuts = try await connection.query(SQL.query(
                """
                SELECT DISTINCT debut FROM \(database.table("affectations"))
                WHERE session = $1 AND centre = $2 AND specialite = $3 AND unite = $4 AND mode = 'ponctuel'
                """, code.value, uai, specialite, unite), logger: logger)
            var seances: [String?] = []
            for try await debut in debuts.decode(String?.self) { seances.append(debut) }
            guard let debut = seances.first else {
                throw ServiceError.notFound("Aucun candidat de l'unité \(unite) (\(specialite)) n'est affecté au centre \(centre.nom) (\(uai)).")
            }
            guard seances.count == 1 else {
                throw ServiceError.conflict("placement.dates_multiples", "Les candidats de l'unité \(unite) au centre \(uai) n'ont pas tous la même date : fixez-la d'abord.")
            }
            let rows = try await connection.query(SQL.query(
                """
                SELECT f.candidature, f.unite, f.specialite, upper(c.nom_famille) || ' ' || c.prenoms || ' ' || c.numero, c.salle_separee, c.majoration_pourcent
                FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
                WHERE f.session = $1 AND f.centre = $2 AND f.mode = 'ponctuel' AND NOT c.annulee
                  AND (CASE WHEN $3::text IS NULL THEN f.debut IS NULL AND f.specialite = $4 AND f.unite = $5 ELSE f.debut = $3 END)
                FOR UPDATE OF f
                """, code.value, uai, debut, specialite, unite), logger: logger)
            var assis: [Assis] = []
            for try await (id, u, s, nom, separee, majoration) in rows.decode((UUID, String, String, String, Bool, Int).self) {
                assis.append(Assis(candidature: id, unite: u, specialite: s, nom: nom, salleSeparee: separee, majoration: majoration))
            }
            let unitesSeance = Array(Set(assis.map { "\($0.specialite)/\($0.unite)" })).sorted()
            try await autoriser(appelant, session: code.value, centre: uai,
                                unites: unitesSeance.map { let p = $0.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false); return (String(p[0]), String(p.last ?? "")) }, on: connection)
            let places = centre.salles.map(\.places)
            let besoin = assis.reduce(Besoin()) { $0 + .candidat(salleSeparee: $1.salleSeparee, majoration: $1.majoration) }
            let repartition: Repartition
            switch Repartition.calculer(places: places, besoin: besoin) {
            case .success(let r): repartition = r
            case .failure(let refus):
                throw ServiceError.conflict("placement.capacite", "Les salles du centre \(centre.nom) ne suffisent pas pour la séance du \(AffectationAutomatique.seance(debut ?? "")) — \(refus.message).")
            }
            let (sieges, occupation) = Self.asseoir(assis, salles: centre.salles, repartition: repartition, ordre: ordre)
            try await connection.query(SQL.query(
                """
                UPDATE \(database.table("affectations")) f SET salle = x.salle, place = x.place,
                    a_publier = f.a_publier OR f.salle IS DISTINCT FROM x.salle OR f.place IS DISTINCT FROM x.place
                FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::int4[]) AS x (candidature, unite, salle, place)
                WHERE f.candidature = x.candidature AND f.unite = x.unite
                """, sieges.map(\.0), sieges.map(\.1), sieges.map(\.2), sieges.map(\.3)), logger: logger)
            let bilan = try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            return RapportPlacement(
                centre: uai, debut: debut, unites: unitesSeance, candidats: sieges.count,
                salles: centre.salles.indices.map { i in
                    .init(salle: centre.salles[i].nom, places: places[i], occupees: occupation[i], usage: Self.usage(repartition.usages[i]))
                },
                affectationsPubliees: bilan.affectationsPubliees, convocationsRegenerees: bilan.convocationsRegenerees)
        }
    }

    /// The tables of a sitting's candidates in the rooms `repartition` shares out: each separate
    /// candidate alone in a room of his own, extra-time candidates in theirs, the others in the
    /// rest; within each, by name or shuffled; tables numbered from 1 in each room. Returns the
    /// seats and how many are taken in each room.
    static func asseoir(_ assis: [Assis], salles: [Salle], repartition: Repartition, ordre: Ordre)
        -> (sieges: [(candidature: UUID, unite: String, salle: String, place: Int)], occupation: [Int])
    {
        func trier(_ liste: [Assis]) -> [Assis] {
            switch ordre {
            case .alphabetique: return liste.sorted { $0.nom < $1.nom }
            case .aleatoire:
                var generateur = SystemRandomNumberGenerator()
                return liste.shuffled(using: &generateur)
            }
        }
        var sieges: [(candidature: UUID, unite: String, salle: String, place: Int)] = []
        var occupation = [Int](repeating: 0, count: salles.count)
        func remplir(_ liste: [Assis], dans usage: Repartition.Usage, unParSalle: Bool) {
            var indices = repartition.usages.indices.filter { repartition.usages[$0] == usage }.makeIterator()
            var salle = indices.next()
            for candidat in trier(liste) {
                while let s = salle, occupation[s] >= (unParSalle ? 1 : salles[s].places) { salle = indices.next() }
                guard let s = salle else { return }
                occupation[s] += 1
                sieges.append((candidat.candidature, candidat.unite, salles[s].nom, occupation[s]))
            }
        }
        remplir(assis.filter(\.salleSeparee), dans: .separee, unParSalle: true)
        remplir(assis.filter { !$0.salleSeparee && $0.majoration > 0 }, dans: .majores, unParSalle: false)
        remplir(assis.filter { !$0.salleSeparee && $0.majoration == 0 }, dans: .ordinaires, unParSalle: false)
        return (sieges, occupation)
    }

    static func usage(_ usage: Repartition.Usage) -> String {
        switch usage {
        case .separee: "salle séparée"
        case .majores: "temps majoré"
        case .ordinaires: "candidats"
        case .libre: "libre"
        }
    }

    // MARK: One candidate to another room

    struct ChangementSalle: ResponseEncodable, Sendable {
        var candidature: UUID
        var unite: String
        var centre: String
        var salle: String
        var place: Int
        var convocationsRegenerees: Int
    }

    func changerSalle(candidature: UUID, unite: String, salle nom: String, place demandee: Int?, par appelant: InternalIdentity) async throws -> ChangementSalle {
        try await database.transaction { connection in
            let rows = try await connection.query(SQL.query(
                """
                SELECT f.session, f.specialite, f.centre, f.debut, f.mode, c.salle_separee FROM \(database.table("affectations")) f
                JOIN \(database.table("candidatures")) c ON c.id = f.candidature WHERE f.candidature = $1 AND f.unite = $2
                """, candidature, unite), logger: logger)
            var trouve: (String, String, String?, String?, String, Bool)?
            for try await ligne in rows.decode((String, String, String?, String?, String, Bool).self) { trouve = ligne }
            guard let (session, specialite, centreUAI, debut, mode, separee) = trouve else {
                throw ServiceError.notFound("Le candidat \(candidature.uuidString.lowercased()) ne passe pas l'unité \(unite) dans cette session.")
            }
            guard let centreUAI, mode == "ponctuel" else {
                throw ServiceError.conflict("placement.non_affecte", "L'épreuve \(unite) de ce candidat n'est pas affectée à un centre : affectez-la d'abord.")
            }
            let code = try SessionCode(session)
            try await affectations.verrouiller(session, on: connection)
            try await autoriser(appelant, session: session, centre: centreUAI, unites: [(specialite, unite)], on: connection)
            guard let centre = try await referentiel.centre(centreUAI, session: code, on: connection),
                  let salle = centre.salles.first(where: { $0.nom == nom })
            else {
                throw ServiceError.invalid("placement.salle", "La salle « \(nom) » n'existe pas au centre \(centreUAI).",
                                           details: [.init(location: "salle", code: "placement.salle", message: "Salle inconnue dans ce centre.")])
            }
            let occupants = try await connection.query(SQL.query(
                """
                SELECT f.place, c.salle_separee FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
                WHERE f.session = $1 AND f.centre = $2 AND f.salle = $3 AND f.mode = 'ponctuel' AND NOT (f.candidature = $4 AND f.unite = $5)
                  AND (CASE WHEN $6::text IS NULL THEN f.debut IS NULL AND f.specialite = $7 AND f.unite = $5 ELSE f.debut = $6 END)
                """, session, centreUAI, nom, candidature, unite, debut, specialite), logger: logger)
            var prises = Set<Int>()
            var separeeDejaLa = false
            for try await (place, autreSeparee) in occupants.decode((Int?, Bool).self) {
                if let place { prises.insert(place) }
                separeeDejaLa = separeeDejaLa || autreSeparee
            }
            if separeeDejaLa || (separee && !prises.isEmpty) {
                throw ServiceError.conflict("placement.salle_separee", "La salle « \(nom) » est réservée à un candidat bénéficiant d'une salle séparée à cette séance.")
            }
            guard prises.count < salle.places else {
                throw ServiceError.conflict("placement.salle_pleine", "La salle « \(nom) » est pleine à cette séance (\(salle.places) places).")
            }
            let place: Int
            if let demandee {
                guard (1...salle.places).contains(demandee), !prises.contains(demandee) else {
                    throw ServiceError.invalid("placement.table", "La table \(demandee) n'est pas libre dans la salle « \(nom) » (tables 1 à \(salle.places)).",
                                               details: [.init(location: "place", code: "placement.table", message: "Table occupée ou inexistante.")])
                }
                place = demandee
            } else {
                guard let libre = (1...salle.places).first(where: { !prises.contains($0) }) else {
                    throw ServiceError.conflict("placement.salle_pleine", "La salle « \(nom) » est pleine à cette séance (\(salle.places) places).")
                }
                place = libre
            }
            try await connection.query(SQL.query(
                """
                UPDATE \(database.table("affectations")) SET salle = $3, place = $4,
                    a_publier = a_publier OR salle IS DISTINCT FROM $3 OR place IS DISTINCT FROM $4
                WHERE candidature = $1 AND unite = $2
                """, candidature, unite, nom, place), logger: logger)
            let bilan = try await suites.apresChangement(session: session, par: appelant.subject, on: connection)
            return ChangementSalle(candidature: candidature, unite: unite, centre: centreUAI, salle: nom, place: place,
                                   convocationsRegenerees: bilan.convocationsRegenerees)
        }
    }

    // MARK: Local date

    struct DateFixee: ResponseEncodable, Sendable {
        var centre: String
        var unite: String
        var debut: String
        var epreuvesCandidats: Int
    }

    /// Fixes the date and time of a unit's sitting in a centre (its candidates are to be seated
    /// again), if the centre's rooms can hold that sitting.
    func fixerDate(session code: SessionCode, centre uai: String, specialite: String, unite: String, debut: String,
                   par appelant: InternalIdentity) async throws -> DateFixee {
        try await database.transaction { connection in
            try await affectations.verrouiller(code.value, on: connection)
            try await autoriser(appelant, session: code.value, centre: uai, unites: [(specialite, unite)], date: true, on: connection)
            guard let centre = try await referentiel.centre(uai, session: code, on: connection) else {
                throw ServiceError.notFound("Le centre \(uai) est inconnu dans la session \(code.value).")
            }
            let rows = try await connection.query(SQL.query(
                """
                UPDATE \(database.table("affectations")) f SET debut = $5, debut_local = true, salle = NULL, place = NULL, a_publier = true
                WHERE f.session = $1 AND f.centre = $2 AND f.specialite = $3 AND f.unite = $4 AND f.mode = 'ponctuel'
                RETURNING f.candidature
                """, code.value, uai, specialite, unite, debut), logger: logger)
            var n = 0
            for try await _ in rows.decode(UUID.self) { n += 1 }
            guard n > 0 else { throw ServiceError.notFound("Aucun candidat de l'unité \(unite) (\(specialite)) n'est affecté au centre \(uai).") }
            let charges = try await affectations.affectations.charges(session: code.value, on: connection)
            if let besoin = charges[uai]?[debut], case .failure(let refus) = Repartition.calculer(places: centre.salles.map(\.places), besoin: besoin) {
                throw ServiceError.conflict("placement.capacite", "À cette date, les salles du centre \(centre.nom) ne suffisent plus — \(refus.message).")
            }
            try await suites.apresChangement(session: code.value, par: appelant.subject, on: connection)
            return DateFixee(centre: uai, unite: unite, debut: debut, epreuvesCandidats: n)
        }
    }

    // MARK: Capacity view

    struct VueCentre: Codable, Sendable {
        struct Seance: Codable, Sendable {
            var debut: String
            var inscrits: Int
            var sallesSeparees: Int
            var tempsMajore: Int
            var tient: Bool
            var raison: String?
        }

        var uai: String
        var nom: String
        var commune: String
        var salles: [Salle]
        var capacite: Int
        var chargeMax: Int
        var seances: [Seance]
    }

    func vue(session code: SessionCode, uais: [String]?) async throws -> [VueCentre] {
        let centres = try await referentiel.centres(session: code, uais: uais).filter(\.estCentreEpreuve)
        let charges = try await affectations.affectations.charges(session: code.value)
        return centres.map { centre in
            let places = centre.salles.map(\.places)
            let seances = (charges[centre.uai] ?? [:]).sorted { $0.key < $1.key }.map { seance, besoin in
                var raison: String?
                if case .failure(let refus) = Repartition.calculer(places: places, besoin: besoin) { raison = refus.message }
                return VueCentre.Seance(debut: seance, inscrits: besoin.total, sallesSeparees: besoin.separees, tempsMajore: besoin.majores,
                                        tient: raison == nil, raison: raison)
            }
            return VueCentre(uai: centre.uai, nom: centre.nom, commune: centre.commune, salles: centre.salles, capacite: centre.capacite,
                             chargeMax: seances.map(\.inscrits).max() ?? 0, seances: seances)
        }
    }
}
