import Foundation
import PostgresNIO
import ServiceKit
import Storage

/// The gestionnaire's and établissements' follow-up: counts by spécialité, établissement or
/// category, and the CSV export of a filtered list.
struct SuiviRepository: Sendable {
    let database: Database

    enum Axe: String, CaseIterable, Sendable {
        case specialite
        case etablissement
        case categorie
    }

    struct Ligne: Codable, Sendable {
        var cle: String
        var libelle: String
        var brouillon: Int
        var validee: Int
        var modifiee: Int
        var annulee: Int
        var total: Int
        var amenagements: Int
    }

    func statistiques(session: String, par axe: Axe, uais: [String]?) async throws -> [Ligne] {
        let (cle, libelle) = switch axe {
        case .specialite: ("c.specialite", "c.specialite")
        case .etablissement: ("COALESCE(c.uai, '')", "COALESCE(max(e.nom), 'Grand Public (sans établissement)')")
        case .categorie: ("c.categorie", "c.categorie")
        }
        let rows = try await database.query(SQL.query(
            """
            SELECT \(cle), \(libelle),
                count(*) FILTER (WHERE c.etat = 'brouillon')::int8, count(*) FILTER (WHERE c.etat = 'validee')::int8,
                count(*) FILTER (WHERE c.etat = 'modifiee')::int8, count(*) FILTER (WHERE c.etat = 'annulee')::int8, count(*)::int8,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM \(database.table("amenagements")) a WHERE a.candidature = c.id))::int8
            FROM \(database.table("candidatures")) c
            LEFT JOIN \(database.table("centres")) e ON e.session = c.session AND e.uai = c.uai
            WHERE c.session = $1 AND ($2::text[] IS NULL OR c.uai = ANY($2))
            GROUP BY \(cle) ORDER BY \(cle)
            """, session, uais))
        var lignes: [Ligne] = []
        for try await (cle, libelle, brouillon, validee, modifiee, annulee, total, amenagements) in rows.decode(
            (String, String, Int64, Int64, Int64, Int64, Int64, Int64).self)
        {
            lignes.append(Ligne(cle: cle, libelle: libelle, brouillon: Int(brouillon), validee: Int(validee), modifiee: Int(modifiee),
                                annulee: Int(annulee), total: Int(total), amenagements: Int(amenagements)))
        }
        return lignes
    }
}
