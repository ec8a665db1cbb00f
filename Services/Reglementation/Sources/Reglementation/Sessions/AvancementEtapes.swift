import Contracts
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// What réglementation knows of the work of the steps, from the services' own messages (never
/// their databases): organisation's declaration that it finished, evaluation's lots and whether
/// each is locked. Closing a step checks it (`manques`); the step ends told to IMAG'IN are
/// recorded so that each is told once (`notifierUneFois`).
struct AvancementEtapes: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    /// The consumer's handlers (queue `reglementation.events`): each writes in the consumer's
    /// transaction, with the inbox row.
    static func handlers(_ avancement: AvancementEtapes) -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.on(OrganisationTerminee.self) { envelope, context in
            try await avancement.enregistrer(envelope.payload, le: envelope.occurredAt, on: context.connection)
        }
        handlers.on(LotsCrees.self) { envelope, context in
            try await avancement.enregistrer(envelope.payload, le: envelope.occurredAt, on: context.connection)
        }
        handlers.on(LotVerrouille.self) { envelope, context in
            try await avancement.enregistrer(envelope.payload, le: envelope.occurredAt, on: context.connection)
        }
        return handlers
    }

    func enregistrer(_ terminee: OrganisationTerminee, le: Date, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("organisations_terminees")) (session, candidats, epreuves, par, le)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session) DO NOTHING
            """, terminee.session.value, terminee.candidats, terminee.epreuvesPlacees, terminee.terminePar, le), logger: logger)
    }

    /// New lots, unlocked; a lot whose lock arrived first keeps it.
    func enregistrer(_ crees: LotsCrees, le: Date, on connection: PostgresConnection) async throws {
        let lots = crees.lots.compactMap { lot in UUID(uuidString: lot.lot).map { (id: $0, numero: lot.numero) } }
        guard !lots.isEmpty else { return }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("lots_notes")) (session, lot, unite, numero, verrouille, etat_le)
            SELECT $1, x.lot, $2, x.numero, false, $5 FROM UNNEST($3::uuid[], $4::int8[]) AS x(lot, numero)
            ON CONFLICT (session, lot) DO UPDATE SET numero = excluded.numero
            """, crees.session.value, crees.unite, lots.map(\.id), lots.map { Int64($0.numero) }, le), logger: logger)
    }

    /// A lock or an unlock; a message older than the state kept changes nothing.
    func enregistrer(_ verrou: LotVerrouille, le: Date, on connection: PostgresConnection) async throws {
        guard let lot = UUID(uuidString: verrou.lot) else { return }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("lots_notes")) AS l (session, lot, unite, verrouille, etat_le) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (session, lot) DO UPDATE SET verrouille = excluded.verrouille, etat_le = excluded.etat_le
            WHERE l.etat_le <= excluded.etat_le
            """, verrou.session.value, lot, verrou.unite, verrou.verrouille, le), logger: logger)
    }

    /// What is missing for `service`'s work to be done, one detail each (empty: it may close).
    /// `organisation`: organisation declared finished; `collecte_notes`: every lot locked.
    func manques(_ service: ServiceEtape, session: String, on connection: PostgresConnection) async throws -> [ServiceError.Detail] {
        switch service {
        case .organisation:
            let rows = try await connection.query(SQL.query(
                "SELECT true FROM \(database.table("organisations_terminees")) WHERE session = $1", session), logger: logger)
            for try await _ in rows.decode(Bool.self) { return [] }
            return [.init(location: "organisation.terminee", code: "etape.organisation_non_terminee",
                          message: "Le service d'organisation n'a pas déclaré l'organisation terminée (toutes les épreuves placées, les convocations générées).")]
        case .collecteNotes:
            let rows = try await connection.query(SQL.query(
                """
                SELECT lot, unite, numero FROM \(database.table("lots_notes"))
                WHERE session = $1 AND NOT verrouille ORDER BY unite, numero, lot LIMIT 101
                """, session), logger: logger)
            var details: [ServiceError.Detail] = []
            for try await (lot, unite, numero) in rows.decode((UUID, String, Int?).self) {
                details.append(.init(
                    location: "lots.\(lot.uuidString.lowercased())", code: "etape.lot_non_verrouille",
                    message: "Unité \(unite), lot \(numero.map(String.init) ?? lot.uuidString.lowercased()) : non verrouillé."))
            }
            return details
        default:
            return []
        }
    }

    /// Records that the end of `etape` was told; false when it already was.
    func notifierUneFois(_ etape: EtapeSession, session: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("etapes_notifiees")) (session, etape) VALUES ($1, $2)
            ON CONFLICT DO NOTHING RETURNING etape
            """, session, etape.rawValue), logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }
}
