import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// A spécialité offered in the académie for a session.
public struct OffreSpecialite: Codable, Sendable, Equatable {
    public var specialite: String
    public var libelle: String
    public var version: Int
    /// The option units offered (codes).
    public var options: [String]
    public var modifiePar: String
    public var modifieLe: Date
}

/// SQL of the local adaptations of a session. They change only while the session's
/// réglementation service is not closed, and each change raises the session's revision so that
/// closing réglementation can require an up-to-date publication.
public struct AdaptationRepository: Sendable {
    let database: Database
    let pilote: PiloteRepository

    /// Offers `specialite` (its `version`, by default the latest) with `options` (by default all).
    func offrir(_ specialite: String, version: Int?, options: [String]?, session code: SessionCode, par subject: String) async throws -> OffreSpecialite {
        try await database.transaction { connection in
            _ = try await verrouillerModifiable(code, on: connection)
            guard let version = try await resoudreVersion(specialite, version, on: connection),
                  let reglement = try await pilote.reglements([(specialite, version)], on: connection).first
            else {
                throw ServiceError.invalid(
                    "reglement.inconnu",
                    "Le pilote national n'a pas de règlement \(version.map { "version \($0) " } ?? "")pour la spécialité \(specialite).",
                    details: [.init(location: version == nil ? "specialite" : "version", code: "reglement.inconnu", message: "Règlement inconnu.")])
            }
            let possibles = reglement.epreuves.filter(\.auChoix).flatMap { $0.unites.map(\.code) }
            let retenues = options.map { $0.map { $0.uppercased() } } ?? possibles
            let inconnues = retenues.filter { !possibles.contains($0) }
            guard inconnues.isEmpty else {
                throw ServiceError.invalid(
                    "option.inconnue",
                    "Option(s) \(inconnues.joined(separator: ", ")) inconnue(s) pour \(specialite) : options possibles \(possibles.isEmpty ? "aucune" : possibles.joined(separator: ", ")).",
                    details: inconnues.map { .init(location: "options", code: "option.inconnue", message: "L'unité \($0) n'est pas une option de la spécialité.") })
            }
            let rows = try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(database.table("specialites_offertes")) (session, specialite, version, options, modifie_par)
                    VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (session, specialite) DO UPDATE
                    SET version = EXCLUDED.version, options = EXCLUDED.options, modifie_par = EXCLUDED.modifie_par, modifie_le = now()
                    RETURNING modifie_le
                    """,
                    code.value, specialite, version, possibles.filter { retenues.contains($0) }, subject),
                database.logger)
            var le = Date()
            for try await date in rows.decode(Date.self) { le = date }
            try await reviser(code, on: connection)
            return OffreSpecialite(
                specialite: specialite, libelle: reglement.libelle, version: version,
                options: possibles.filter { retenues.contains($0) }, modifiePar: subject, modifieLe: le)
        }
    }

    /// Stops offering `specialite`; false when it was not offered.
    func retirer(_ specialite: String, session code: SessionCode) async throws -> Bool {
        try await database.transaction { connection in
            _ = try await verrouillerModifiable(code, on: connection)
            let rows = try await connection.run(
                SQL.query(
                    "DELETE FROM \(database.table("specialites_offertes")) WHERE session = $1 AND specialite = $2 RETURNING 1",
                    code.value, specialite),
                database.logger)
            var retiree = false
            for try await _ in rows { retiree = true }
            if retiree { try await reviser(code, on: connection) }
            return retiree
        }
    }

    func offres(_ code: SessionCode, on connection: PostgresConnection? = nil) async throws -> [OffreSpecialite] {
        let query = SQL.query(
            """
            SELECT o.specialite, s.libelle, o.version, o.options, o.modifie_par, o.modifie_le
            FROM \(database.table("specialites_offertes")) o JOIN \(database.table("specialites")) s ON s.code = o.specialite
            WHERE o.session = $1 ORDER BY o.specialite
            """,
            code.value)
        let rows = if let connection { try await connection.run(query, database.logger) } else { try await database.query(query) }
        var result: [OffreSpecialite] = []
        for try await (specialite, libelle, version, options, par, le) in rows.decode((String, String, Int, [String], String, Date).self) {
            result.append(OffreSpecialite(specialite: specialite, libelle: libelle, version: version, options: options, modifiePar: par, modifieLe: le))
        }
        return result
    }

    /// Replaces the session's list of required pièces justificatives.
    func definirPieces(_ pieces: [PieceJustificative], session code: SessionCode) async throws {
        try await database.transaction { connection in
            _ = try await verrouillerModifiable(code, on: connection)
            try await connection.run(
                SQL.query("DELETE FROM \(database.table("pieces_justificatives")) WHERE session = $1", code.value), database.logger)
            try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(database.table("pieces_justificatives")) (session, code, rang, libelle, categories, obligatoire)
                    SELECT $1, c, n, l, string_to_array(k, ','), o FROM UNNEST($2::text[], $3::int[], $4::text[], $5::text[], $6::bool[]) AS t(c, n, l, k, o)
                    """,
                    code.value, pieces.map(\.code), Array(pieces.indices), pieces.map(\.libelle),
                    pieces.map { $0.categories.map(\.rawValue).joined(separator: ",") }, pieces.map(\.obligatoire)),
                database.logger)
            try await reviser(code, on: connection)
        }
    }

    func pieces(_ code: SessionCode, on connection: PostgresConnection? = nil) async throws -> [PieceJustificative] {
        let query = SQL.query(
            "SELECT code, libelle, categories, obligatoire FROM \(database.table("pieces_justificatives")) WHERE session = $1 ORDER BY rang",
            code.value)
        let rows = if let connection { try await connection.run(query, database.logger) } else { try await database.query(query) }
        var result: [PieceJustificative] = []
        for try await (piece, libelle, categories, obligatoire) in rows.decode((String, String, [String], Bool).self) {
            result.append(PieceJustificative(
                code: piece, libelle: libelle, categories: categories.compactMap(CategorieCandidat.init(rawValue:)), obligatoire: obligatoire))
        }
        return result
    }

    /// Locks the session; 409 when it is closed or its réglementation service is closed.
    private func verrouillerModifiable(_ code: SessionCode, on connection: PostgresConnection) async throws -> SessionVerrouillee {
        let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
        try session.exigerOuverte()
        let rows = try await connection.run(
            SQL.query(
                "SELECT etat FROM \(database.table("services_etape")) WHERE session = $1 AND service = 'reglementation'", code.value),
            database.logger)
        for try await etat in rows.decode(String.self) where etat == "ferme" {
            throw ServiceError.conflict(
                "reglementation.close",
                "Le service réglementation de la session \(code.value) est fermé : rouvrez-le pour modifier les adaptations locales.")
        }
        return session
    }

    private func resoudreVersion(_ specialite: String, _ version: Int?, on connection: PostgresConnection) async throws -> Int? {
        if let version { return version }
        return try await pilote.derniereVersion(specialite, on: connection)
    }

    private func reviser(_ code: SessionCode, on connection: PostgresConnection) async throws {
        try await connection.run(
            SQL.query("UPDATE \(database.table("sessions")) SET revision_adaptations = revision_adaptations + 1 WHERE code = $1", code.value),
            database.logger)
    }
}
