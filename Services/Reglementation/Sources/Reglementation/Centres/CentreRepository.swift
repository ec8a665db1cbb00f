import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// SQL of the centres of a session: every declaration, change or withdrawal writes its event
/// (`reglementation.centre.declare`, `.modifie`, `.retire`) in the same transaction.
public struct CentreRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    /// Declares or changes the roles of `uai` in a session; `cree` tells which. Declaring the
    /// same thing again changes nothing and writes no event.
    func declarer(_ declaration: DeclarationCentre, uai: UAI, session code: SessionCode, par subject: String) async throws -> (centre: Centre, cree: Bool) {
        let logger = database.logger
        return try await database.transaction { connection in
            let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
            try session.exigerOuverte()
            let etablissement = try await self.etablissement(uai, on: connection)
            if declaration.gestionAutonome {
                var refus: [ServiceError.Detail] = []
                if !declaration.roles.contains(.inscription) {
                    refus.append(.init(location: "gestionAutonome", code: "centre.autonomie", message: "La gestion autonome concerne un centre d'inscription."))
                }
                if !etablissement.habilitationCFA && !etablissement.habilitationFPC {
                    refus.append(.init(location: "gestionAutonome", code: "centre.autonomie", message: "L'établissement \(uai.value) n'est habilité ni CFA ni FPC pour le CCF."))
                }
                if !refus.isEmpty {
                    throw ServiceError.invalid(
                        "centre.autonomie",
                        "L'établissement \(uai.value) ne peut pas être en gestion autonome : \(refus.map(\.message).joined(separator: " ")).",
                        details: refus)
                }
            }
            let avant = try await centres(session: code, uais: [uai.value], role: nil, pagination: .init(taille: 1), on: connection).items.first
            if let avant, avant.roles == declaration.roles, avant.gestionAutonome == declaration.gestionAutonome, avant.salles == declaration.salles {
                return (avant, false)
            }
            try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(database.table("centres")) AS c (session, uai, roles, gestion_autonome, modifie_par)
                    VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (session, uai) DO UPDATE
                    SET roles = EXCLUDED.roles, gestion_autonome = EXCLUDED.gestion_autonome, revision = c.revision + 1,
                        modifie_par = EXCLUDED.modifie_par, modifie_le = now()
                    """,
                    code.value, uai.value, declaration.roles.map(\.rawValue), declaration.gestionAutonome, subject),
                logger)
            try await connection.run(
                SQL.query("DELETE FROM \(database.table("salles")) WHERE session = $1 AND uai = $2", code.value, uai.value), logger)
            try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(database.table("salles")) (session, uai, rang, nom, places)
                    SELECT $1, $2, n, s, p FROM UNNEST($3::int[], $4::text[], $5::int[]) AS t(n, s, p)
                    """,
                    code.value, uai.value, Array(declaration.salles.indices), declaration.salles.map(\.nom), declaration.salles.map(\.places)),
                logger)
            let centre = try await centres(session: code, uais: [uai.value], role: nil, pagination: .init(taille: 1), on: connection).items[0]
            if avant == nil {
                try await outbox.write(Self.declare(centre), aggregate: "centre:\(code.value):\(uai.value)", on: connection, logger: logger)
            } else {
                try await outbox.write(Self.modifie(centre), aggregate: "centre:\(code.value):\(uai.value)", on: connection, logger: logger)
            }
            return (centre, avant == nil)
        }
    }

    /// After a change of the établissement's record: a new revision and `centre.modifie` in every
    /// open session where it is a centre.
    func reannoncer(uai: UAI, par subject: String, on connection: PostgresConnection) async throws {
        let rows = try await connection.run(
            SQL.query(
                """
                UPDATE \(database.table("centres")) c SET revision = revision + 1, modifie_par = $2, modifie_le = now()
                FROM \(database.table("sessions")) s
                WHERE c.uai = $1 AND s.code = c.session AND s.close_le IS NULL
                RETURNING c.session
                """,
                uai.value, subject),
            database.logger)
        var sessions: [String] = []
        for try await session in rows.decode(String.self) { sessions.append(session) }
        var events: [OutboxWriter.Entry] = []
        for session in sessions {
            let code = try SessionCode(session)
            for centre in try await centres(session: code, uais: [uai.value], role: nil, pagination: .init(taille: 1), on: connection).items {
                events.append(try outbox.entry(Self.modifie(centre), aggregate: "centre:\(session):\(uai.value)"))
            }
        }
        try await outbox.write(events, on: connection, logger: database.logger)
    }

    /// Withdraws `uai` from the session's centres; false when it was not one.
    func retirer(_ uai: UAI, session code: SessionCode, par subject: String) async throws -> Bool {
        let logger = database.logger
        return try await database.transaction { connection in
            let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
            try session.exigerOuverte()
            let rows = try await connection.run(
                SQL.query("DELETE FROM \(database.table("centres")) WHERE session = $1 AND uai = $2 RETURNING 1", code.value, uai.value),
                logger)
            var retire = false
            for try await _ in rows { retire = true }
            if retire {
                try await outbox.write(
                    CentreRetire(session: code, uai: uai, retirePar: subject),
                    aggregate: "centre:\(code.value):\(uai.value)", on: connection, logger: logger)
            }
            return retire
        }
    }

    /// A page of the session's centres, optionally of some UAIs and of one role.
    func centres(
        session code: SessionCode, uais: [String]?, role: RoleCentre?, pagination: Pagination,
        on connection: PostgresConnection? = nil
    ) async throws -> (items: [Centre], total: Int) {
        func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
            if let connection { try await connection.run(query, database.logger) } else { try await database.query(query) }
        }
        var items: [Centre] = []
        var total = 0
        for try await row in try await run(SQL.query(
            """
            SELECT c.uai, e.nom, e.commune, e.secteur, e.habilitation_cfa, e.habilitation_fpc, c.roles, c.gestion_autonome,
                   c.revision, c.modifie_par, c.modifie_le, count(*) OVER ()
            FROM \(database.table("centres")) c JOIN \(database.table("etablissements")) e ON e.uai = c.uai
            WHERE c.session = $1 AND ($2::text[] IS NULL OR c.uai = ANY($2)) AND ($3::text IS NULL OR $3 = ANY(c.roles))
            ORDER BY e.nom, c.uai LIMIT $4 OFFSET $5
            """,
            code.value, uais, role?.rawValue, pagination.taille, pagination.offset))
        {
            let (uai, nom, commune, secteur, cfa, fpc, roles, autonome, revision, par, le, count) =
                try row.decode((String, String, String, String, Bool, Bool, [String], Bool, Int, String, Date, Int64).self)
            items.append(Centre(
                session: code, uai: try UAI(uai), nom: nom, commune: commune, secteur: Secteur(rawValue: secteur) ?? .public,
                habilitationCFA: cfa, habilitationFPC: fpc, roles: roles.compactMap(RoleCentre.init(rawValue:)).sorted(),
                gestionAutonome: autonome, salles: [], places: 0, revision: revision, modifiePar: par, modifieLe: le))
            total = Int(count)
        }
        guard !items.isEmpty else { return ([], total) }
        var salles: [String: [Salle]] = [:]
        for try await (uai, nom, places) in try await run(SQL.query(
            "SELECT uai, nom, places FROM \(database.table("salles")) WHERE session = $1 AND uai = ANY($2::text[]) ORDER BY uai, rang",
            code.value, items.map(\.uai.value))
        ).decode((String, String, Int).self) {
            salles[uai, default: []].append(Salle(nom: nom, places: places))
        }
        for index in items.indices {
            items[index].salles = salles[items[index].uai.value] ?? []
            items[index].places = items[index].salles.map(\.places).reduce(0, +)
        }
        return (items, total)
    }

    private func etablissement(_ uai: UAI, on connection: PostgresConnection) async throws -> Etablissement {
        let rows = try await connection.run(
            SQL.query("SELECT \(EtablissementRepository.colonnes) FROM \(database.table("etablissements")) WHERE uai = $1 FOR SHARE", uai.value),
            database.logger)
        for try await row in rows { return try EtablissementRepository.decode(row) }
        throw ServiceError.invalid(
            "etablissement.inconnu", "L'établissement \(uai.value) n'existe pas : créez sa fiche avant de le déclarer comme centre.",
            details: [.init(location: "uai", code: "etablissement.inconnu", message: "Établissement inconnu.")])
    }

    static func declare(_ c: Centre) -> CentreDeclare { CentreDeclare(etat(c)) }

    static func modifie(_ c: Centre) -> CentreModifie { CentreModifie(etat(c)) }

    private static func etat(_ c: Centre) -> CentreEtat {
        CentreEtat(
            session: c.session, uai: c.uai, nom: c.nom, commune: c.commune, secteur: c.secteur, habilitationCFA: c.habilitationCFA,
            habilitationFPC: c.habilitationFPC, roles: c.roles, gestionAutonome: c.gestionAutonome, salles: c.salles, revision: c.revision)
    }
}
