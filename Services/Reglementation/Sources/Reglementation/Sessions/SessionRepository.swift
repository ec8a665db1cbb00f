import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// SQL of the sessions. Opening one writes its step services, the start of its timeline and
/// `reglementation.session.ouverte` in the same transaction; closing one writes
/// `reglementation.session.close`.
public struct SessionRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    static let colonnes = """
        code, academie, libelle, session_normale, to_char(debut_epreuves, 'YYYY-MM-DD'),
        to_char(fin_epreuves, 'YYYY-MM-DD'), ouverte_par, ouverte_le, close_par, close_le
        """

    func open(_ nouvelle: NouvelleSession, by subject: String) async throws -> Session {
        let sessions = database.table("sessions")
        let logger = database.logger
        let code = nouvelle.code
        return try await database.transaction { connection in
            if let normale = nouvelle.sessionNormale {
                try await verifierSessionNormale(normale, academie: nouvelle.academie, on: connection)
            }
            let rows = try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(sessions) (code, academie, libelle, ouverte_par, session_normale, debut_epreuves, fin_epreuves)
                    VALUES ($1, $2, $3, $4, $5, $6::date, $7::date)
                    ON CONFLICT (code) DO NOTHING RETURNING ouverte_le
                    """,
                    code.value, nouvelle.academie, nouvelle.libelle, subject, nouvelle.sessionNormale?.value,
                    nouvelle.debutEpreuves, nouvelle.finEpreuves),
                logger)
            var openedAt: Date?
            for try await date in rows.decode(Date.self) { openedAt = date }
            guard let openedAt else {
                throw ServiceError.conflict("session.existe", "La session \(code.value) existe déjà.")
            }
            let services = ServiceEtape.allCases
            try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(database.table("services_etape")) (session, service, ouverture_prevue, fermeture_prevue)
                    SELECT $1, s, NULLIF(o, '')::date, NULLIF(f, '')::date FROM UNNEST($2::text[], $3::text[], $4::text[]) AS t(s, o, f)
                    """,
                    code.value, services.map(\.rawValue),
                    services.map { nouvelle.calendrier[$0]?.ouverture ?? "" }, services.map { nouvelle.calendrier[$0]?.fermeture ?? "" }),
                logger)
            let planifies = services.filter { nouvelle.calendrier[$0] != nil }
            try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(database.table("historique")) (session, service, action, par, le, ouverture_prevue, fermeture_prevue)
                    SELECT $1, NULL, 'session_ouverte', $2, $3, NULL, NULL
                    UNION ALL
                    SELECT $1, s, 'calendrier', $2, $3, NULLIF(o, '')::date, NULLIF(f, '')::date FROM UNNEST($4::text[], $5::text[], $6::text[]) AS t(s, o, f)
                    """,
                    code.value, subject, openedAt, planifies.map(\.rawValue),
                    planifies.map { nouvelle.calendrier[$0]?.ouverture ?? "" }, planifies.map { nouvelle.calendrier[$0]?.fermeture ?? "" }),
                logger)
            try await outbox.write(
                SessionOuverte(
                    session: code, academie: nouvelle.academie, libelle: nouvelle.libelle, ouvertePar: subject,
                    sessionNormale: nouvelle.sessionNormale, debutEpreuves: nouvelle.debutEpreuves,
                    finEpreuves: nouvelle.finEpreuves),
                aggregate: "session:\(code.value)", on: connection, logger: logger)
            return Session(
                code: code, academie: nouvelle.academie, libelle: nouvelle.libelle, nature: code.nature,
                sessionNormale: nouvelle.sessionNormale, debutEpreuves: nouvelle.debutEpreuves,
                finEpreuves: nouvelle.finEpreuves, etat: .ouverte, ouvertePar: subject, ouverteLe: openedAt)
        }
    }

    /// A session de remplacement replaces an existing normal session of the same académie.
    private func verifierSessionNormale(_ normale: SessionCode, academie: String, on connection: PostgresConnection) async throws {
        guard normale.nature == .normale else {
            throw ServiceError.invalid(
                "session.normale_nature", "La session \(normale.value) n'est pas une session normale.",
                details: [.init(location: "sessionNormale", code: "session.normale_nature", message: "Une session normale (code en -N) est attendue.")])
        }
        let rows = try await connection.run(
            SQL.query("SELECT academie FROM \(database.table("sessions")) WHERE code = $1", normale.value), database.logger)
        var trouvee: String?
        for try await value in rows.decode(String.self) { trouvee = value }
        guard let trouvee else {
            throw ServiceError.invalid(
                "session.normale_inconnue", "La session normale \(normale.value) n'existe pas.",
                details: [.init(location: "sessionNormale", code: "session.normale_inconnue", message: "Session inconnue.")])
        }
        guard trouvee == academie else {
            throw ServiceError.invalid(
                "session.normale_academie",
                "La session normale \(normale.value) appartient à l'académie \(trouvee), pas à \(academie).",
                details: [.init(location: "sessionNormale", code: "session.normale_academie", message: "Autre académie.")])
        }
    }

    /// A page of sessions, newest code first, with optional filters.
    func list(academie: String?, nature: SessionCode.Nature?, etat: Session.Etat?, pagination: Pagination) async throws -> (sessions: [Session], total: Int) {
        let rows = try await database.query(
            SQL.query(
                """
                SELECT \(Self.colonnes), count(*) OVER ()
                FROM \(database.table("sessions"))
                WHERE ($1::text IS NULL OR academie = $1)
                  AND ($2::text IS NULL OR right(code, 1) = $2)
                  AND ($3::text IS NULL OR (close_le IS NULL) = ($3 = 'ouverte'))
                ORDER BY code DESC LIMIT $4 OFFSET $5
                """,
                academie, nature.map { String($0.lettre) }, etat?.rawValue, pagination.taille, pagination.offset))
        var result: [Session] = []
        var total = 0
        for try await row in rows {
            let (session, count) = try Self.decode(row)
            result.append(session)
            total = count
        }
        return (result, total)
    }

    /// One session with its step services, or 404.
    func get(_ code: SessionCode) async throws -> Session {
        let rows = try await database.query(
            SQL.query("SELECT \(Self.colonnes), 1::int8 FROM \(database.table("sessions")) WHERE code = $1", code.value))
        var found: Session?
        for try await row in rows { found = try Self.decode(row).session }
        guard var session = found else { throw SessionVerrouillee.inconnue(code) }
        session.services = try await ServiceEtapeRepository(database: database, outbox: outbox).services(of: code)
        return session
    }

    /// Closes a session whose services are all closed (or never opened).
    func close(_ code: SessionCode, by subject: String) async throws -> Session {
        let logger = database.logger
        try await database.transaction { connection in
            let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
            try session.exigerOuverte()
            let rows = try await connection.run(
                SQL.query(
                    "SELECT service FROM \(database.table("services_etape")) WHERE session = $1 AND etat = 'ouvert'",
                    code.value),
                logger)
            var ouverts: [ServiceEtape] = []
            for try await name in rows.decode(String.self) { if let s = ServiceEtape(rawValue: name) { ouverts.append(s) } }
            guard ouverts.isEmpty else {
                throw ServiceError(
                    .conflict, code: "session.services_ouverts",
                    message: "La session \(code.value) ne peut pas être close : des services sont encore ouverts (\(ouverts.sorted().map { "« \($0.libelle) »" }.joined(separator: ", "))).",
                    details: ouverts.sorted().map {
                        .init(location: "services.\($0.rawValue)", code: "service.ouvert", message: "Le service « \($0.libelle) » est ouvert : fermez-le d'abord.")
                    })
            }
            try await connection.run(
                SQL.query("UPDATE \(database.table("sessions")) SET close_par = $2, close_le = now() WHERE code = $1", code.value, subject),
                logger)
            try await connection.run(
                SQL.query("INSERT INTO \(database.table("historique")) (session, action, par) VALUES ($1, 'session_close', $2)", code.value, subject),
                logger)
            try await outbox.write(
                SessionClose(session: code, academie: session.academie, closePar: subject),
                aggregate: "session:\(code.value)", on: connection, logger: logger)
        }
        return try await get(code)
    }

    static func decode(_ row: PostgresRow) throws -> (session: Session, total: Int) {
        let (code, academie, libelle, normale, debut, fin, ouvertePar, ouverteLe, closePar, closeLe, total) =
            try row.decode((String, String, String, String?, String?, String?, String, Date, String?, Date?, Int64).self)
        let session = try SessionCode(code)
        return (
            Session(
                code: session, academie: academie, libelle: libelle, nature: session.nature,
                sessionNormale: try normale.map { try SessionCode($0) }, debutEpreuves: debut, finEpreuves: fin,
                etat: closeLe == nil ? .ouverte : .close, ouvertePar: ouvertePar, ouverteLe: ouverteLe,
                closePar: closePar, closeLe: closeLe),
            Int(total))
    }
}
