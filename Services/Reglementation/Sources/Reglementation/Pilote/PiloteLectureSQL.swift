import ServiceKit
import Contracts
import Domain
import Foundation
import PostgresNIO
import Storage

/// A spécialité of the pilot and its imported versions.
public struct SpecialitePilote: Codable, Sendable, Equatable {
    public struct Version: Codable, Sendable, Equatable {
        public var version: Int
        public var reference: String?
        public var importeLe: Date
        public var importePar: String
    }

    public var code: String
    public var libelle: String
    public var derniereVersion: Int
    public var versions: [Version]?
}

extension PiloteRepository {
    /// The règlements of `cles` (spécialité, version), in that order; missing ones are skipped.
    func reglements(_ cles: [(specialite: String, version: Int)], on connection: PostgresConnection? = nil) async throws -> [Reglement] {
        guard !cles.isEmpty else { return [] }
        func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
            if let connection { try await connection.run(query, database.logger) } else { try await database.query(query) }
        }
        let filtre = "(specialite, version) IN (SELECT * FROM UNNEST($1::text[], $2::int[]))"
        let specialites = cles.map(\.specialite)
        let versions = cles.map(\.version)
        var entetes: [String: (libelle: String, reference: String?)] = [:]
        for try await (s, v, libelle, reference) in try await run(SQL.query(
            "SELECT specialite, version, libelle, reference FROM \(database.table("reglements")) WHERE \(filtre)", specialites, versions)
        ).decode((String, Int, String, String?).self) {
            entetes["\(s)/\(v)"] = (libelle, reference)
        }
        var epreuves: [String: [Epreuve]] = [:]
        for try await (s, v, code, libelle, facultative, auChoix) in try await run(SQL.query(
            "SELECT specialite, version, code, libelle, facultative, au_choix FROM \(database.table("epreuves")) WHERE \(filtre) ORDER BY rang",
            specialites, versions)
        ).decode((String, Int, String, String, Bool, Bool).self) {
            epreuves["\(s)/\(v)", default: []].append(
                Epreuve(code: code, libelle: libelle, facultative: facultative, auChoix: auChoix, coefficient: nil, unites: []))
        }
        var dates: [String: [DateNationale]] = [:]
        for try await (s, v, unite, session, debut, sujet) in try await run(SQL.query(
            """
            SELECT specialite, version, unite, session, to_char(debut, 'YYYY-MM-DD"T"HH24:MI'), sujet
            FROM \(database.table("dates_nationales")) WHERE \(filtre) ORDER BY debut, session
            """,
            specialites, versions)
        ).decode((String, Int, String, String, String, String).self) {
            dates["\(s)/\(v)/\(unite)", default: []].append(DateNationale(session: try SessionCode(session), debut: debut, sujet: sujet))
        }
        for try await row in try await run(SQL.query(
            """
            SELECT specialite, version, epreuve, code, sous_epreuve, libelle, coefficient, formes, duree_minutes,
                   preparation_minutes, pas, pas_ccf, categories_ccf
            FROM \(database.table("unites")) WHERE \(filtre) ORDER BY rang
            """,
            specialites, versions)
        ) {
            let (s, v, epreuve, code, sousEpreuve, libelle, coefficient, formes, duree, preparation, pas, pasCCF, ccf) =
                try row.decode((String, Int, String, String, String?, String, Int?, [String], Int?, Int?, Int, Int, [String]).self)
            let categoriesCCF = Set(ccf.compactMap(CategorieCandidat.init(rawValue:)))
            let unite = Unite(
                code: code, sousEpreuve: sousEpreuve, libelle: libelle, coefficient: coefficient,
                formes: formes.compactMap(FormeEpreuve.init(rawValue:)), dureeMinutes: duree, preparationMinutes: preparation,
                pas: try PasDeNotation(centiemes: pas), pasCCF: try PasDeNotation(centiemes: pasCCF),
                modes: Dictionary(uniqueKeysWithValues: CategorieCandidat.allCases.map { ($0, categoriesCCF.contains($0) ? .ccf : .ponctuel) }),
                dates: dates["\(s)/\(v)/\(code)"] ?? [])
            if let index = epreuves["\(s)/\(v)"]?.firstIndex(where: { $0.code == epreuve }) {
                epreuves["\(s)/\(v)"]![index].unites.append(unite)
            }
        }
        return cles.compactMap { cle in
            guard let entete = entetes["\(cle.specialite)/\(cle.version)"] else { return nil }
            let liste = (epreuves["\(cle.specialite)/\(cle.version)"] ?? []).map { epreuve in
                var epreuve = epreuve
                if !epreuve.facultative {
                    epreuve.coefficient = epreuve.auChoix ? epreuve.unites.first?.coefficient : epreuve.unites.compactMap(\.coefficient).reduce(0, +)
                }
                return epreuve
            }
            return Reglement(specialite: cle.specialite, libelle: entete.libelle, version: cle.version, reference: entete.reference, epreuves: liste)
        }
    }

    /// The latest version of a spécialité, nil when it was never imported.
    func derniereVersion(_ specialite: String, on connection: PostgresConnection? = nil) async throws -> Int? {
        let query = SQL.query("SELECT max(version) FROM \(database.table("reglements")) WHERE specialite = $1", specialite)
        let rows = if let connection { try await connection.run(query, database.logger) } else { try await database.query(query) }
        for try await version in rows.decode(Int?.self) { return version }
        return nil
    }

    /// A page of spécialités with their latest version, optionally matching `recherche` (code or label).
    func specialites(recherche: String?, pagination: Pagination) async throws -> (items: [SpecialitePilote], total: Int) {
        let rows = try await database.query(SQL.query(
            """
            SELECT s.code, s.libelle, max(r.version), count(*) OVER ()
            FROM \(database.table("specialites")) s JOIN \(database.table("reglements")) r ON r.specialite = s.code
            WHERE $1::text IS NULL OR s.code ILIKE '%' || $1 || '%' OR s.libelle ILIKE '%' || $1 || '%'
            GROUP BY s.code, s.libelle ORDER BY s.code LIMIT $2 OFFSET $3
            """,
            recherche, pagination.taille, pagination.offset))
        var items: [SpecialitePilote] = []
        var total = 0
        for try await (code, libelle, version, count) in rows.decode((String, String, Int, Int64).self) {
            items.append(SpecialitePilote(code: code, libelle: libelle, derniereVersion: version, versions: nil))
            total = Int(count)
        }
        return (items, total)
    }

    /// One spécialité with all its versions, nil when unknown.
    func specialite(_ code: String) async throws -> SpecialitePilote? {
        let rows = try await database.query(SQL.query(
            """
            SELECT s.libelle, r.version, r.reference, r.importe_le, r.importe_par
            FROM \(database.table("specialites")) s JOIN \(database.table("reglements")) r ON r.specialite = s.code
            WHERE s.code = $1 ORDER BY r.version
            """,
            code))
        var result: SpecialitePilote?
        for try await (libelle, version, reference, le, par) in rows.decode((String, Int, String?, Date, String).self) {
            if result == nil { result = SpecialitePilote(code: code, libelle: libelle, derniereVersion: version, versions: []) }
            result!.derniereVersion = version
            result!.versions!.append(.init(version: version, reference: reference, importeLe: le, importePar: par))
        }
        return result
    }
}
