import Domain
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// A planned treatment (a job the system runs at a planned time, once or periodically).
public struct Traitement: Codable, Sendable, Equatable, ResponseCodable {
    public var id: UUID
    public var code: String
    public var libelle: String
    public var session: SessionCode?
    /// nil: nothing more is planned.
    public var prochaineExecution: Date?
    public var periodiciteMinutes: Int?
    public var actif: Bool
    public var creePar: String
    public var creeLe: Date
    /// Its runs, newest first (in a single treatment's answer).
    public var executions: [Execution]?
}

/// One run of a treatment and its result.
public struct Execution: Codable, Sendable, Equatable, ResponseCodable {
    public enum Statut: String, Codable, Sendable {
        case enCours = "en_cours"
        case reussie
        case echouee
    }

    public var id: UUID
    public var traitement: UUID
    public var code: String
    public var session: SessionCode?
    public var executant: String
    public var debut: Date
    public var fin: Date?
    public var statut: Statut
    public var resultat: String?
}

/// SQL of the planned treatments and their runs. A worker reserves the due treatments (each
/// once, even with several workers: `SKIP LOCKED`), runs them and reports each result.
public struct TraitementRepository: Sendable {
    let database: Database

    struct Nouveau: Sendable {
        var code: String
        var libelle: String
        var session: SessionCode?
        var prochaineExecution: Date
        var periodiciteMinutes: Int?
    }

    func planifier(_ nouveau: Nouveau, par subject: String) async throws -> Traitement {
        let id = UUID()
        do {
            try await database.query(SQL.query(
                """
                INSERT INTO \(database.table("traitements")) (id, code, libelle, session, prochaine_execution, periodicite_minutes, cree_par)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                id, nouveau.code, nouveau.libelle, nouveau.session?.value, nouveau.prochaineExecution, nouveau.periodiciteMinutes, subject))
        } catch where error.violationReference {
            throw ServiceError.invalid(
                "session.inconnue", "La session \(nouveau.session?.value ?? "") n'existe pas.",
                details: [.init(location: "session", code: "session.inconnue", message: "Session inconnue.")])
        }
        return try await get(id)
    }

    func get(_ id: UUID) async throws -> Traitement {
        guard var traitement = try await liste(id: id, session: nil, actif: nil, pagination: .init(taille: 1)).items.first else {
            throw ServiceError(.notFound, code: "traitement.inconnu", message: "Le traitement \(id.uuidString.lowercased()) n'existe pas.")
        }
        traitement.executions = try await executions(where: "e.traitement = $1", id, limite: 50)
        return traitement
    }

    func liste(id: UUID? = nil, session: SessionCode?, actif: Bool?, pagination: Pagination) async throws -> (items: [Traitement], total: Int) {
        let rows = try await database.query(SQL.query(
            """
            SELECT id, code, libelle, session, prochaine_execution, periodicite_minutes, actif, cree_par, cree_le, count(*) OVER ()
            FROM \(database.table("traitements"))
            WHERE ($1::uuid IS NULL OR id = $1) AND ($2::text IS NULL OR session = $2) AND ($3::bool IS NULL OR actif = $3)
            ORDER BY prochaine_execution NULLS LAST, code LIMIT $4 OFFSET $5
            """,
            id, session?.value, actif, pagination.taille, pagination.offset))
        var items: [Traitement] = []
        var total = 0
        for try await (id, code, libelle, session, prochaine, periodicite, actif, par, le, count)
            in rows.decode((UUID, String, String, String?, Date?, Int?, Bool, String, Date, Int64).self)
        {
            items.append(Traitement(
                id: id, code: code, libelle: libelle, session: try session.map { try SessionCode($0) }, prochaineExecution: prochaine,
                periodiciteMinutes: periodicite, actif: actif, creePar: par, creeLe: le))
            total = Int(count)
        }
        return (items, total)
    }

    func activer(_ id: UUID, _ actif: Bool) async throws -> Traitement {
        let rows = try await database.query(SQL.query(
            "UPDATE \(database.table("traitements")) SET actif = $2 WHERE id = $1 RETURNING 1", id, actif))
        var trouve = false
        for try await _ in rows { trouve = true }
        guard trouve else { throw ServiceError(.notFound, code: "traitement.inconnu", message: "Le traitement \(id.uuidString.lowercased()) n'existe pas.") }
        return try await get(id)
    }

    /// Reserves up to `limite` due treatments for `executant`: one run `en_cours` each, and the
    /// next run planned (the next period after now, or none for a one-off treatment).
    func reserver(executant: String, limite: Int) async throws -> [Execution] {
        let ids = try await database.transaction { connection in
            let rows = try await connection.run(
                SQL.query(
                    """
                    WITH dus AS (
                        SELECT id FROM \(database.table("traitements"))
                        WHERE actif AND prochaine_execution <= now() ORDER BY prochaine_execution LIMIT $2 FOR UPDATE SKIP LOCKED
                    ), avances AS (
                        UPDATE \(database.table("traitements")) t
                        SET prochaine_execution = CASE WHEN t.periodicite_minutes IS NULL THEN NULL ELSE
                            t.prochaine_execution + make_interval(mins => t.periodicite_minutes *
                                (floor(extract(epoch FROM now() - t.prochaine_execution) / (t.periodicite_minutes * 60))::int + 1)) END
                        FROM dus WHERE t.id = dus.id RETURNING t.id
                    )
                    INSERT INTO \(database.table("executions")) (id, traitement, executant, statut)
                    SELECT gen_random_uuid(), id, $1, 'en_cours' FROM avances RETURNING id
                    """,
                    executant, limite),
                database.logger)
            var ids: [UUID] = []
            for try await id in rows.decode(UUID.self) { ids.append(id) }
            return ids
        }
        guard !ids.isEmpty else { return [] }
        return try await executions(where: "e.id = ANY($1)", ids, limite: ids.count)
    }

    /// Records the end of a run still `en_cours`.
    func terminer(_ id: UUID, statut: Execution.Statut, resultat: String?) async throws -> Execution {
        let rows = try await database.query(SQL.query(
            """
            UPDATE \(database.table("executions")) SET statut = $2, resultat = $3, fin = clock_timestamp()
            WHERE id = $1 AND statut = 'en_cours' RETURNING 1
            """,
            id, statut.rawValue, resultat))
        var fait = false
        for try await _ in rows { fait = true }
        guard fait, let execution = try await executions(where: "e.id = $1", id, limite: 1).first else {
            let existe = try await executions(where: "e.id = $1", id, limite: 1).first
            guard existe != nil else {
                throw ServiceError(.notFound, code: "execution.inconnue", message: "L'exécution \(id.uuidString.lowercased()) n'existe pas.")
            }
            throw ServiceError.conflict("execution.terminee", "L'exécution \(id.uuidString.lowercased()) est déjà terminée.")
        }
        return execution
    }

    private func executions(where condition: String, _ value: any PostgresDynamicTypeEncodable & Sendable, limite: Int) async throws -> [Execution] {
        let rows = try await database.query(SQL.query(
            """
            SELECT e.id, e.traitement, t.code, t.session, e.executant, e.debut, e.fin, e.statut, e.resultat
            FROM \(database.table("executions")) e JOIN \(database.table("traitements")) t ON t.id = e.traitement
            WHERE \(condition) ORDER BY e.debut DESC LIMIT $2
            """,
            value, limite))
        var result: [Execution] = []
        for try await (id, traitement, code, session, executant, debut, fin, statut, resultat)
            in rows.decode((UUID, UUID, String, String?, String, Date, Date?, String, String?).self)
        {
            result.append(Execution(
                id: id, traitement: traitement, code: code, session: try session.map { try SessionCode($0) }, executant: executant,
                debut: debut, fin: fin, statut: Execution.Statut(rawValue: statut) ?? .enCours, resultat: resultat))
        }
        return result
    }
}
