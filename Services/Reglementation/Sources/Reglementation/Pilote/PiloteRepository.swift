import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// What an import did to each spécialité of the file, or why it changed nothing.
public struct RapportImport: Codable, Sendable, Equatable, ResponseCodable {
    public enum Statut: String, Codable, Sendable {
        /// A new version, now stored.
        case importee
        /// This version was already there with the same content: nothing to do.
        case inchangee
    }

    public struct Ligne: Codable, Sendable, Equatable {
        public var specialite: String
        public var version: Int
        public var statut: Statut
    }

    public var specialites: [Ligne]
    /// Every error found; when there is one, nothing was changed.
    public var erreurs: [PiloteErreur]
}

/// SQL of the national pilot: the import (one transaction, one set-based statement per table)
/// and the reading of règlements.
public struct PiloteRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Stores the new versions of `pilote`. A version already there with another content, or
    /// older than the latest one, is an error: then nothing is stored.
    func importer(_ pilote: PiloteLu, par subject: String) async throws -> RapportImport {
        let logger = database.logger
        let contenus = try pilote.reglements.map { String(decoding: try MessageCoding.encoder().encode($0), as: UTF8.self) }
        do {
            return try await database.transaction { connection in
                try await connection.run(SQL.query("SELECT pg_advisory_xact_lock(hashtext('cyclades.reglementation.pilote'))"), logger)
                let empreintes = try await self.empreintes(contenus, on: connection)
                let existants = try await self.existants(pilote.reglements.map(\.specialite), on: connection)
                var lignes: [RapportImport.Ligne] = []
                var erreurs: [PiloteErreur] = []
                var nouveaux: [(Reglement, String)] = []
                for (reglement, empreinte) in zip(pilote.reglements, empreintes) {
                    let versions = existants[reglement.specialite] ?? [:]
                    let location = pilote.positionsVersion[reglement.specialite] ?? "specialites[\(reglement.specialite)].version"
                    if let connue = versions[reglement.version] {
                        if connue == empreinte {
                            lignes.append(.init(specialite: reglement.specialite, version: reglement.version, statut: .inchangee))
                        } else {
                            erreurs.append(PiloteErreur(
                                location: location, code: "pilote.version_modifiee",
                                message: "La version \(reglement.version) de la spécialité \(reglement.specialite) a déjà été importée avec un autre contenu : une version ne change plus, donnez un nouveau numéro de version."))
                        }
                    } else if let derniere = versions.keys.max(), derniere > reglement.version {
                        erreurs.append(PiloteErreur(
                            location: location, code: "pilote.version_anterieure",
                            message: "La version \(reglement.version) de la spécialité \(reglement.specialite) est antérieure à la dernière importée (\(derniere))."))
                    } else {
                        lignes.append(.init(specialite: reglement.specialite, version: reglement.version, statut: .importee))
                        nouveaux.append((reglement, empreinte))
                    }
                }
                guard erreurs.isEmpty else { throw ImportRefuse(erreurs: erreurs) }
                try await inserer(nouveaux, par: subject, on: connection)
                return RapportImport(specialites: lignes, erreurs: [])
            }
        } catch let refus as ImportRefuse {
            return RapportImport(specialites: [], erreurs: refus.erreurs)
        }
    }

    private struct ImportRefuse: Error { var erreurs: [PiloteErreur] }

    /// SHA-256 of each canonical content, in order.
    private func empreintes(_ contenus: [String], on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.run(
            SQL.query(
                "SELECT encode(sha256(convert_to(c, 'UTF8')), 'hex') FROM UNNEST($1::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n",
                contenus),
            database.logger)
        var result: [String] = []
        for try await value in rows.decode(String.self) { result.append(value) }
        return result
    }

    /// The versions already imported of `specialites`, with their fingerprints.
    private func existants(_ specialites: [String], on connection: PostgresConnection) async throws -> [String: [Int: String]] {
        let rows = try await connection.run(
            SQL.query("SELECT specialite, version, empreinte FROM \(database.table("reglements")) WHERE specialite = ANY($1::text[])", specialites),
            database.logger)
        var result: [String: [Int: String]] = [:]
        for try await (specialite, version, empreinte) in rows.decode((String, Int, String).self) {
            result[specialite, default: [:]][version] = empreinte
        }
        return result
    }

    private func inserer(_ nouveaux: [(Reglement, String)], par subject: String, on connection: PostgresConnection) async throws {
        guard !nouveaux.isEmpty else { return }
        let logger = database.logger
        let reglements = nouveaux.map(\.0)
        try await connection.run(
            SQL.query(
                """
                INSERT INTO \(database.table("specialites")) (code, libelle) SELECT * FROM UNNEST($1::text[], $2::text[])
                ON CONFLICT (code) DO UPDATE SET libelle = EXCLUDED.libelle
                """,
                reglements.map(\.specialite), reglements.map(\.libelle)),
            logger)
        try await connection.run(
            SQL.query(
                """
                INSERT INTO \(database.table("reglements")) (specialite, version, libelle, reference, empreinte, importe_par)
                SELECT s, v, l, NULLIF(r, ''), e, $6 FROM UNNEST($1::text[], $2::int[], $3::text[], $4::text[], $5::text[]) AS t(s, v, l, r, e)
                """,
                reglements.map(\.specialite), reglements.map(\.version), reglements.map(\.libelle),
                reglements.map { $0.reference ?? "" }, nouveaux.map(\.1), subject),
            logger)
        let epreuves = reglements.flatMap { r in r.epreuves.enumerated().map { (r, $0.offset, $0.element) } }
        try await connection.run(
            SQL.query(
                """
                INSERT INTO \(database.table("epreuves")) (specialite, version, code, rang, libelle, facultative, au_choix)
                SELECT * FROM UNNEST($1::text[], $2::int[], $3::text[], $4::int[], $5::text[], $6::bool[], $7::bool[])
                """,
                epreuves.map(\.0.specialite), epreuves.map(\.0.version), epreuves.map(\.2.code), epreuves.map(\.1),
                epreuves.map(\.2.libelle), epreuves.map(\.2.facultative), epreuves.map(\.2.auChoix)),
            logger)
        let unites = reglements.flatMap { r in
            r.epreuves.flatMap { e in e.unites.map { (r, e, $0) } }
        }.enumerated().map { ($0.offset, $0.element.0, $0.element.1, $0.element.2) }
        try await connection.run(
            SQL.query(
                """
                INSERT INTO \(database.table("unites"))
                    (specialite, version, code, epreuve, rang, sous_epreuve, libelle, coefficient, formes, duree_minutes,
                     preparation_minutes, pas, pas_ccf, categories_ccf)
                SELECT s, v, c, e, n, NULLIF(se, ''), l, NULLIF(k, 0), string_to_array(f, ','), d, NULLIF(p, 0), pas, pc,
                       string_to_array(cc, ',')
                FROM UNNEST($1::text[], $2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[],
                            $9::text[], $10::int[], $11::int[], $12::int[], $13::int[], $14::text[])
                    AS t(s, v, c, e, n, se, l, k, f, d, p, pas, pc, cc)
                """,
                unites.map(\.1.specialite), unites.map(\.1.version), unites.map(\.3.code), unites.map(\.2.code), unites.map(\.0),
                unites.map { $0.3.sousEpreuve ?? "" }, unites.map(\.3.libelle), unites.map { $0.3.coefficient ?? 0 },
                unites.map { $0.3.formes.map(\.rawValue).joined(separator: ",") }, unites.map { $0.3.dureeMinutes ?? 0 },
                unites.map { $0.3.preparationMinutes ?? 0 }, unites.map(\.3.pas.centiemes), unites.map(\.3.pasCCF.centiemes),
                unites.map { u in u.3.modes.filter { $0.value == .ccf }.keys.sorted().map(\.rawValue).joined(separator: ",") }),
            logger)
        let dates = unites.flatMap { u in u.3.dates.map { (u.1, u.3, $0) } }
        try await connection.run(
            SQL.query(
                """
                INSERT INTO \(database.table("dates_nationales")) (specialite, version, unite, session, debut, sujet)
                SELECT s, v, u, se, d::timestamp, su FROM UNNEST($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
                    AS t(s, v, u, se, d, su)
                """,
                dates.map(\.0.specialite), dates.map(\.0.version), dates.map(\.1.code), dates.map(\.2.session.value),
                dates.map(\.2.debut), dates.map(\.2.sujet)),
            logger)
    }
}
