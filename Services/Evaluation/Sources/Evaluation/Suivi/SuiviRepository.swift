import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// The follow-up of the collection: counts by lot, commission, centre or unit; graders not
/// started; the décharge (entered grades) and the missing-grades control.
struct SuiviRepository: Sendable {
    let database: Database

    enum Axe: String, Sendable, CaseIterable { case lot, commission, centre, unite }

    struct Ligne: Codable, Sendable {
        var cle: String
        var libelle: String
        var lots: Int
        var lotsVerrouilles: Int
        var attendues: Int
        var saisies: Int
        /// Lots with graders and no grade yet.
        var lotsNonCommences: Int
    }

    func suivi(session: String, par axe: Axe, unite: String?, centre: String?) async throws -> [Ligne] {
        let l = database.table("lots"), c = database.table("copies"), n = database.table("notes")
        let m = database.table("commissions"), k = database.table("correcteurs")
        let (cle, libelle): (String, String) = switch axe {
        case .lot: ("b.id::text", "b.unite || ' — lot n° ' || b.numero")
        case .commission: ("COALESCE(b.commission::text, '')", "COALESCE(min(m.libelle), 'sans commission')")
        case .centre: ("b.centre", "b.centre")
        case .unite: ("b.unite", "b.unite")
        }
        let rows = try await database.query(SQL.query(
            """
            WITH base AS (
                SELECT l.id, l.unite, l.numero, l.commission, l.centre, l.verrouille,
                    (SELECT count(*) FROM \(c) c WHERE c.lot = l.id) AS attendues,
                    (SELECT count(*) FROM \(n) n WHERE n.lot = l.id) AS saisies,
                    EXISTS (SELECT 1 FROM \(k) k WHERE k.lot = l.id) AS avec_correcteur
                FROM \(l) l WHERE l.session = $1 AND ($2::text IS NULL OR l.unite = $2) AND ($3::text IS NULL OR l.centre = $3)
            )
            SELECT \(cle), \(libelle), count(*)::int8, count(*) FILTER (WHERE b.verrouille)::int8,
                sum(b.attendues)::int8, sum(b.saisies)::int8, count(*) FILTER (WHERE b.saisies = 0 AND b.avec_correcteur)::int8
            FROM base b LEFT JOIN \(m) m ON m.id = b.commission
            GROUP BY \(axe == .lot ? "b.id, b.unite, b.numero" : cle) ORDER BY 2
            """, session, unite, centre))
        var lignes: [Ligne] = []
        for try await (cle, libelle, lots, verrouilles, attendues, saisies, nonCommences)
            in rows.decode((String, String, Int64, Int64, Int64, Int64, Int64).self)
        {
            lignes.append(Ligne(cle: cle, libelle: libelle, lots: Int(lots), lotsVerrouilles: Int(verrouilles),
                                attendues: Int(attendues), saisies: Int(saisies), lotsNonCommences: Int(nonCommences)))
        }
        return lignes
    }

    struct CorrecteurEnRetard: Codable, Sendable {
        var sujet: String
        var nom: String
        var lot: UUID
        var unite: String
        var numero: Int
    }

    /// Graders of lots where nothing was entered yet.
    func correcteursNonCommences(session: String, centre: String?) async throws -> [CorrecteurEnRetard] {
        let l = database.table("lots"), k = database.table("correcteurs"), n = database.table("notes")
        let rows = try await database.query(SQL.query(
            """
            SELECT k.sujet, k.nom, l.id, l.unite, l.numero FROM \(k) k JOIN \(l) l ON l.id = k.lot
            WHERE l.session = $1 AND ($2::text IS NULL OR l.centre = $2) AND NOT l.verrouille
              AND NOT EXISTS (SELECT 1 FROM \(n) n WHERE n.lot = l.id)
            ORDER BY l.unite, l.numero, k.nom LIMIT 5000
            """, session, centre))
        var items: [CorrecteurEnRetard] = []
        for try await (sujet, nom, lot, unite, numero) in rows.decode((String, String, UUID, String, Int).self) {
            items.append(CorrecteurEnRetard(sujet: sujet, nom: nom, lot: lot, unite: unite, numero: numero))
        }
        return items
    }

    struct NoteDechargee: Sendable {
        var unite: String
        var lot: Int
        var copie: String
        var note: String
        var par: String
        var source: String
        var le: String
    }

    /// Every entered grade of the session (or one unit), for the CSV décharge.
    func decharge(session: String, unite: String?, centre: String?) async throws -> [NoteDechargee] {
        let l = database.table("lots"), n = database.table("notes")
        let rows = try await database.query(SQL.query(
            """
            SELECT l.unite, l.numero, n.numero, n.note, n.par, n.source,
                to_char(n.modifie_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM \(n) n JOIN \(l) l ON l.id = n.lot
            WHERE l.session = $1 AND ($2::text IS NULL OR l.unite = $2) AND ($3::text IS NULL OR l.centre = $3)
            ORDER BY l.unite, l.numero, n.numero
            """, session, unite, centre))
        var items: [NoteDechargee] = []
        for try await (unite, lot, copie, note, par, source, le) in rows.decode((String, Int, String, String, String, String, String).self) {
            items.append(NoteDechargee(unite: unite, lot: lot, copie: copie, note: note, par: par, source: source, le: le))
        }
        return items
    }

    struct Manquantes: Codable, Sendable, ResponseEncodable {
        struct ParUnite: Codable, Sendable {
            var unite: String
            var copies: Int
            var sansLot: Int
            var sansNote: Int
            var lotsNonVerrouilles: Int
            var consolidee: Bool
        }
        struct Copie: Codable, Sendable {
            var unite: String
            var lot: Int?
            var copie: String
        }
        var complet: Bool
        var unites: [ParUnite]
        /// The first missing copies (at most 1,000).
        var copies: [Copie]
    }

    /// The control before deliberation: per unit, copies with no lot, with no grade (and no
    /// absence recorded), lots not locked; whether the unit was consolidated.
    func manquantes(session: String, unite: String?) async throws -> Manquantes {
        let u = database.table("unites"), c = database.table("copies"), l = database.table("lots"), n = database.table("notes")
        let rows = try await database.query(SQL.query(
            """
            SELECT u.unite,
                (SELECT count(*) FROM \(c) c WHERE c.session = u.session AND c.unite = u.unite AND NOT c.retiree)::int8,
                (SELECT count(*) FROM \(c) c WHERE c.session = u.session AND c.unite = u.unite AND NOT c.retiree AND c.lot IS NULL)::int8,
                (SELECT count(*) FROM \(c) c WHERE c.session = u.session AND c.unite = u.unite AND NOT c.retiree AND c.absence IS NULL
                    AND NOT EXISTS (SELECT 1 FROM \(n) n WHERE n.lot = c.lot AND n.numero = c.numero))::int8,
                (SELECT count(*) FROM \(l) l WHERE l.session = u.session AND l.unite = u.unite AND NOT l.verrouille)::int8,
                EXISTS (SELECT 1 FROM \(database.table("consolidations")) k WHERE k.session = u.session AND k.unite = u.unite)
            FROM \(u) u WHERE u.session = $1 AND ($2::text IS NULL OR u.unite = $2) ORDER BY u.unite
            """, session, unite))
        var unites: [Manquantes.ParUnite] = []
        for try await (unite, copies, sansLot, sansNote, ouverts, consolidee) in rows.decode((String, Int64, Int64, Int64, Int64, Bool).self) {
            unites.append(.init(unite: unite, copies: Int(copies), sansLot: Int(sansLot), sansNote: Int(sansNote),
                                lotsNonVerrouilles: Int(ouverts), consolidee: consolidee))
        }
        let details = try await database.query(SQL.query(
            """
            SELECT c.unite, l.numero, c.numero FROM \(c) c LEFT JOIN \(l) l ON l.id = c.lot
            WHERE c.session = $1 AND ($2::text IS NULL OR c.unite = $2) AND NOT c.retiree AND c.absence IS NULL
              AND NOT EXISTS (SELECT 1 FROM \(n) n WHERE n.lot = c.lot AND n.numero = c.numero)
            ORDER BY c.unite, l.numero NULLS FIRST, c.numero LIMIT 1000
            """, session, unite))
        var copies: [Manquantes.Copie] = []
        for try await (unite, lot, copie) in details.decode((String, Int?, String).self) {
            copies.append(.init(unite: unite, lot: lot, copie: copie))
        }
        let complet = unites.allSatisfy { $0.sansLot == 0 && $0.sansNote == 0 && $0.lotsNonVerrouilles == 0 }
        return Manquantes(complet: complet, unites: unites, copies: copies)
    }

    /// A session's grade collection at a glance (the gateway's dashboard), nil when the
    /// session is unknown here.
    struct Avancement: Codable, Sendable, ResponseEncodable {
        var session: String
        var collecteOuverte: Bool
        var unites: Int
        var copies: Int
        var copiesSansLot: Int
        var copiesSansNote: Int
        var lots: Int
        var lotsVerrouilles: Int
        var unitesConsolidees: Int
    }

    func avancement(session: String) async throws -> Avancement? {
        let l = database.table("lots"), c = database.table("copies"), n = database.table("notes")
        let rows = try await database.query(SQL.query(
            """
            SELECT 'collecte_notes' = ANY(s.services),
                (SELECT count(*) FROM \(database.table("unites")) u WHERE u.session = s.code)::int8,
                (SELECT count(*) FROM \(c) c WHERE c.session = s.code AND NOT c.retiree)::int8,
                (SELECT count(*) FROM \(c) c WHERE c.session = s.code AND NOT c.retiree AND c.lot IS NULL)::int8,
                (SELECT count(*) FROM \(c) c WHERE c.session = s.code AND NOT c.retiree AND c.absence IS NULL
                    AND NOT EXISTS (SELECT 1 FROM \(n) n WHERE n.lot = c.lot AND n.numero = c.numero))::int8,
                (SELECT count(*) FROM \(l) l WHERE l.session = s.code)::int8,
                (SELECT count(*) FROM \(l) l WHERE l.session = s.code AND l.verrouille)::int8,
                (SELECT count(*) FROM \(database.table("consolidations")) k WHERE k.session = s.code)::int8
            FROM \(database.table("sessions")) s WHERE s.code = $1
            """, session))
        for try await (ouverte, unites, copies, sansLot, sansNote, lots, verrouilles, consolidees)
            in rows.decode((Bool, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        {
            return Avancement(session: session, collecteOuverte: ouverte, unites: Int(unites), copies: Int(copies),
                              copiesSansLot: Int(sansLot), copiesSansNote: Int(sansNote), lots: Int(lots),
                              lotsVerrouilles: Int(verrouilles), unitesConsolidees: Int(consolidees))
        }
        return nil
    }

    /// One row of a lot's audit, for the gestionnaire.
    struct Audit: Codable, Sendable {
        var seq: Int64
        var copie: String
        var avant: String?
        var apres: String
        var par: String
        var role: String
        var source: String
        var commande: UUID
        var le: String
        var empreinte: String
        /// `note`, or `verrouillage`, `deverrouillage`, `reouverture` (then `copie` is empty).
        var nature: String
        var motif: String?
    }

    /// The audit rows of a lot, in chain order.
    func audit(lot: UUID) async throws -> [Audit] {
        let rows = try await database.query(SQL.query(
            """
            SELECT seq, numero, avant, apres, par, role, source, commande,
                to_char(to_timestamp(instant / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), empreinte, nature, motif
            FROM \(database.table("audit")) WHERE lot = $1 ORDER BY seq
            """, lot))
        var items: [Audit] = []
        for try await (seq, copie, avant, apres, par, role, source, commande, le, empreinte, nature, motif)
            in rows.decode((Int64, String, String?, String, String, String, String, UUID, String, String, String, String?).self)
        {
            items.append(Audit(seq: seq, copie: copie, avant: avant, apres: apres, par: par, role: role, source: source,
                               commande: commande, le: le, empreinte: empreinte, nature: nature, motif: motif))
        }
        return items
    }
}
