import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Storage

/// Reads the candidates of a session as `Dossier`s: candidature and consolidated grades, in one
/// query (grades joined through the anonymity link).
struct DossierRepository: Sendable {
    let database: Database

    /// The candidates of `session` (of `specialite`, of `ids` when given), cancelled ones left
    /// out, by numéro.
    func dossiers(session: SessionCode, specialite: String? = nil, ids: [UUID]? = nil) async throws -> [Dossier] {
        // A jury's candidates by their ids (the index), not a whole session filtered: the plan of
        // `$3 IS NULL OR id = ANY($3)` scanned the session for every jury.
        let filtre = ids == nil ? "($3::uuid[] IS NULL)" : "c.id = ANY($3::uuid[])"
        let rows = try await database.query(SQL.query(
            """
            SELECT c.id, c.numero, c.specialite, c.forme, c.categorie, c.etablissement, c.unites::text,
                COALESCE(array_agg(a.unite ORDER BY a.unite) FILTER (WHERE n.note IS NOT NULL), '{}'),
                COALESCE(array_agg(n.note ORDER BY a.unite) FILTER (WHERE n.note IS NOT NULL), '{}')
            FROM \(database.table("candidatures")) c
            LEFT JOIN \(database.table("anonymats")) a ON a.session = c.session AND a.candidature = c.id
            LEFT JOIN \(database.table("notes")) n
                ON n.session = a.session AND n.unite = a.unite AND n.numero_anonymat = a.numero_anonymat
            WHERE c.session = $1 AND NOT c.annulee AND ($2::text IS NULL OR c.specialite = $2) AND \(filtre)
            GROUP BY c.id ORDER BY c.numero
            """, session.value, specialite, ids))
        let decoder = MessageCoding.decoder()
        var dossiers: [Dossier] = []
        for try await (id, numero, specialite, forme, categorie, etablissement, unites, codes, notes) in rows.decode(
            (UUID, String, String, String, String, String?, String, [String], [String]).self)
        {
            var parUnite: [String: Note] = [:]
            for (code, texte) in zip(codes, notes) {
                // Written by this service from a checked contract: a grade that does not parse
                // is a defect worth a loud failure, not a silent gap.
                parUnite[code] = try Note.parse(texte, pas: .centieme)
            }
            dossiers.append(Dossier(
                id: id, numero: numero, specialite: specialite, forme: FormePassage(rawValue: forme) ?? .globale,
                categorie: categorie, etablissement: etablissement,
                unites: try decoder.decode([UniteInscrite].self, from: Data(unites.utf8)), notes: parUnite))
        }
        return dossiers
    }

    /// Who the candidates are, for the PV and the screens once the jury is closed.
    func identites(_ ids: [UUID]) async throws -> [UUID: IdentiteCandidat] {
        let rows = try await database.query(SQL.query(
            "SELECT id, identite::text FROM \(database.table("candidatures")) WHERE id = ANY($1)", ids))
        let decoder = MessageCoding.decoder()
        var identites: [UUID: IdentiteCandidat] = [:]
        for try await (id, texte) in rows.decode((UUID, String).self) {
            identites[id] = try decoder.decode(IdentiteCandidat.self, from: Data(texte.utf8))
        }
        return identites
    }
}
