import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// A session as the gestionnaire sees it.
public struct Session: Codable, Sendable, Equatable, ResponseCodable {
    public var code: SessionCode
    public var academie: String
    public var libelle: String
    public var ouvertePar: String
    public var ouverteLe: Date
}

/// SQL of the sessions; opening one writes `reglementation.session.ouverte` in the same
/// transaction.
public struct SessionRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    public func open(code: SessionCode, academie: String, libelle: String, by subject: String) async throws -> Session {
        let sessions = database.table("sessions")
        let logger = database.logger
        return try await database.transaction { connection in
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO \(sessions) (code, academie, libelle, ouverte_par) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (code) DO NOTHING RETURNING ouverte_le
                        """,
                    binds: Self.binds(code.value, academie, libelle, subject)),
                logger: logger)
            var openedAt: Date?
            for try await date in rows.decode(Date.self) { openedAt = date }
            guard let openedAt else {
                throw ServiceError.conflict("session.existe", "La session \(code.value) existe déjà.")
            }
            try await outbox.write(
                SessionOuverte(session: code, academie: academie, libelle: libelle, ouvertePar: subject),
                aggregate: "session:\(code.value)", on: connection, logger: logger)
            return Session(code: code, academie: academie, libelle: libelle, ouvertePar: subject, ouverteLe: openedAt)
        }
    }

    /// A page of sessions, newest code first, optionally of one académie.
    public func list(academie: String?, limit: Int, offset: Int) async throws -> (sessions: [Session], total: Int) {
        let sessions = database.table("sessions")
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT code, academie, libelle, ouverte_par, ouverte_le, count(*) OVER ()
                    FROM \(sessions) WHERE ($1::text IS NULL OR academie = $1)
                    ORDER BY code DESC LIMIT $2 OFFSET $3
                    """,
                binds: Self.binds(academie, limit, offset)))
        var result: [Session] = []
        var total = 0
        for try await (code, academie, libelle, by, at, count)
            in rows.decode((String, String, String, String, Date, Int64).self)
        {
            result.append(Session(code: try SessionCode(code), academie: academie, libelle: libelle, ouvertePar: by, ouverteLe: at))
            total = Int(count)
        }
        return (result, total)
    }

    private static func binds(_ values: (any PostgresDynamicTypeEncodable & Sendable)?...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values {
            if let value { binds.append(value) } else { binds.appendNull() }
        }
        return binds
    }
}
