import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// SQL of the établissements. Changing one re-announces it (`reglementation.centre.modifie`) in
/// every open session where it is a centre, in the same transaction.
public struct EtablissementRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    static let colonnes = "uai, nom, adresse, code_postal, commune, secteur, habilitation_cfa, habilitation_fpc, modifie_par, modifie_le"

    func creer(_ fiche: FicheEtablissement, par subject: String) async throws -> Etablissement {
        let rows = try await database.query(SQL.query(
            """
            INSERT INTO \(database.table("etablissements")) (uai, nom, adresse, code_postal, commune, secteur, habilitation_cfa, habilitation_fpc, modifie_par)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uai) DO NOTHING RETURNING \(Self.colonnes)
            """,
            fiche.uai.value, fiche.nom, fiche.adresse, fiche.codePostal, fiche.commune, fiche.secteur.rawValue,
            fiche.habilitationCFA, fiche.habilitationFPC, subject))
        for try await row in rows { return try Self.decode(row) }
        throw ServiceError.conflict("etablissement.existe", "L'établissement \(fiche.uai.value) existe déjà.")
    }

    func modifier(_ fiche: FicheEtablissement, par subject: String) async throws -> Etablissement {
        let logger = database.logger
        return try await database.transaction { connection in
            let rows = try await connection.run(
                SQL.query(
                    """
                    UPDATE \(database.table("etablissements"))
                    SET nom = $2, adresse = $3, code_postal = $4, commune = $5, secteur = $6, habilitation_cfa = $7,
                        habilitation_fpc = $8, modifie_par = $9, modifie_le = now()
                    WHERE uai = $1 RETURNING \(Self.colonnes)
                    """,
                    fiche.uai.value, fiche.nom, fiche.adresse, fiche.codePostal, fiche.commune, fiche.secteur.rawValue,
                    fiche.habilitationCFA, fiche.habilitationFPC, subject),
                logger)
            var modifie: Etablissement?
            for try await row in rows { modifie = try Self.decode(row) }
            guard let modifie else { throw Self.inconnu(fiche.uai) }
            try await CentreRepository(database: database, outbox: outbox)
                .reannoncer(uai: fiche.uai, par: subject, on: connection)
            return modifie
        }
    }

    func get(_ uai: UAI) async throws -> Etablissement {
        let rows = try await database.query(SQL.query("SELECT \(Self.colonnes) FROM \(database.table("etablissements")) WHERE uai = $1", uai.value))
        for try await row in rows { return try Self.decode(row) }
        throw Self.inconnu(uai)
    }

    /// Deletes an établissement that is a centre of no session.
    func supprimer(_ uai: UAI) async throws {
        do {
            let rows = try await database.query(SQL.query("DELETE FROM \(database.table("etablissements")) WHERE uai = $1 RETURNING 1", uai.value))
            for try await _ in rows { return }
        } catch where error.violationReference {
            throw ServiceError.conflict(
                "etablissement.centre", "L'établissement \(uai.value) est centre d'au moins une session : il ne peut pas être supprimé.")
        }
        throw Self.inconnu(uai)
    }

    struct Filtres: Sendable {
        var recherche: String?
        var secteur: Secteur?
        var commune: String?
        var habilitation: String?
        var uais: [String]?
    }

    func liste(_ filtres: Filtres, pagination: Pagination) async throws -> (items: [Etablissement], total: Int) {
        let rows = try await database.query(SQL.query(
            """
            SELECT \(Self.colonnes), count(*) OVER () FROM \(database.table("etablissements"))
            WHERE ($1::text IS NULL OR nom ILIKE '%' || $1 || '%' OR uai LIKE upper($1) || '%')
              AND ($2::text IS NULL OR secteur = $2)
              AND ($3::text IS NULL OR commune ILIKE $3)
              AND ($4::text IS NULL OR ($4 = 'cfa' AND habilitation_cfa) OR ($4 = 'fpc' AND habilitation_fpc))
              AND ($5::text[] IS NULL OR uai = ANY($5))
            ORDER BY nom, uai LIMIT $6 OFFSET $7
            """,
            filtres.recherche, filtres.secteur?.rawValue, filtres.commune, filtres.habilitation, filtres.uais,
            pagination.taille, pagination.offset))
        var items: [Etablissement] = []
        var total = 0
        for try await row in rows {
            items.append(try Self.decode(row))
            total = Int(try row.makeRandomAccess()[10].decode(Int64.self))
        }
        return (items, total)
    }

    /// The first ten columns (`colonnes`) of a row; any further column is ignored.
    static func decode(_ row: PostgresRow) throws -> Etablissement {
        let c = row.makeRandomAccess()
        return Etablissement(
            uai: try UAI(try c[0].decode(String.self)), nom: try c[1].decode(String.self),
            adresse: try c[2].decode(String.self), codePostal: try c[3].decode(String.self),
            commune: try c[4].decode(String.self), secteur: Secteur(rawValue: try c[5].decode(String.self)) ?? .public,
            habilitationCFA: try c[6].decode(Bool.self), habilitationFPC: try c[7].decode(Bool.self),
            modifiePar: try c[8].decode(String.self), modifieLe: try c[9].decode(Date.self))
    }

    static func inconnu(_ uai: UAI) -> ServiceError {
        ServiceError(.notFound, code: "etablissement.inconnu", message: "L'établissement \(uai.value) n'existe pas.")
    }
}
