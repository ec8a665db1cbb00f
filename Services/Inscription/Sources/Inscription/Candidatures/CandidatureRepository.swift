import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// The SQL of candidats and candidatures. Reads come back as one JSON object per candidature
/// (built by PostgreSQL), decoded into `Candidature`.
struct CandidatureRepository: Sendable {
    let database: Database

    var logger: Logger { database.logger }

    /// Filters of the lists (gestionnaire, établissement, candidate).
    struct Filtre: Sendable {
        /// nil only for a candidate's own file, across sessions.
        var session: String?
        var specialite: String?
        var uais: [String]?
        var categorie: String?
        var etat: String?
        var amenagement: Bool?
        var recherche: String?
        /// For a candidate: his account and his papillon numéros.
        var compte: String?
        var numeros: [String]?
        /// The UAIs the papillon numéros are bound to (nil: any, for the gestionnaire's lookup).
        var uaisDesNumeros: [String]?
    }

    // MARK: Reads

    private var selection: String {
        let c = database.table("candidatures"), d = database.table("candidats"), e = database.table("centres"), a = database.table("amenagements")
        return """
            SELECT json_build_object(
                'id', c.id, 'numero', c.numero, 'session', c.session, 'etat', c.etat, 'revision', c.revision,
                'candidatId', d.id, 'compte', d.compte,
                'candidat', json_build_object('ine', d.ine, 'nomFamille', d.nom_famille, 'nomUsage', d.nom_usage,
                    'prenoms', d.prenoms, 'sexe', d.sexe, 'dateNaissance', to_char(d.date_naissance, 'YYYY-MM-DD'),
                    'communeNaissance', d.commune_naissance, 'paysNaissance', d.pays_naissance, 'adresse', d.adresse,
                    'codePostal', d.code_postal, 'commune', d.commune, 'courriel', d.courriel, 'telephone', d.telephone),
                'categorie', c.categorie, 'uai', c.uai, 'etablissement', e.nom, 'specialite', c.specialite,
                'options', c.options, 'facultatives', c.facultatives, 'forme', c.forme,
                'benefices', c.benefices, 'dispenses', c.dispenses, 'ulterieures', c.ulterieures, 'unites', c.unites,
                'categorieReglementaire', c.categorie_reglementaire, 'reglementVersion', c.reglement_version,
                'homonymeAccepte', c.homonyme_accepte, 'consentementPublication', c.consentement_publication,
                'amenagements', COALESCE((SELECT jsonb_agg(m) FROM \(a) am, jsonb_array_elements(am.mesures) m
                    WHERE am.candidature = c.id AND am.etat IN ('accorde', 'accorde_partiellement')), '[]'::jsonb),
                'amenagementDemande', EXISTS (SELECT 1 FROM \(a) am WHERE am.candidature = c.id),
                'creePar', c.cree_par, 'creeLe', \(Self.horodatage("c.cree_le")), 'modifieLe', \(Self.horodatage("c.modifie_le")),
                'valideeLe', \(Self.horodatage("c.validee_le")), 'annuleeLe', \(Self.horodatage("c.annulee_le")),
                'motifAnnulation', c.motif_annulation
            )::text
            FROM \(c) c JOIN \(d) d ON d.id = c.candidat
            LEFT JOIN \(e) e ON e.session = c.session AND e.uai = c.uai
            """
    }

    static func horodatage(_ colonne: String) -> String {
        "to_char(\(colonne) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    func lire(_ id: UUID, on connection: PostgresConnection? = nil, pourModifier: Bool = false) async throws -> Candidature? {
        let query = SQL.query("\(selection) WHERE c.id = $1 \(pourModifier ? "FOR UPDATE OF c" : "")", id)
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await database.query(query) }
        for try await texte in rows.decode(String.self) { return try Self.decoder.decode(Candidature.self, from: Data(texte.utf8)) }
        return nil
    }

    /// Several candidatures at once, inside a transaction (bulk writes read back what they wrote).
    func lire(_ ids: [UUID], on connection: PostgresConnection) async throws -> [Candidature] {
        let rows = try await connection.query(SQL.query("\(selection) WHERE c.id = ANY($1)", ids), logger: logger)
        var items: [Candidature] = []
        for try await texte in rows.decode(String.self) { items.append(try Self.decoder.decode(Candidature.self, from: Data(texte.utf8))) }
        return items
    }

    func liste(_ filtre: Filtre, pagination: Pagination?) async throws -> (items: [Candidature], total: Int) {
        let (condition, valeurs) = where_(filtre)
        let limite = pagination.map { "LIMIT \($0.taille) OFFSET \($0.offset)" } ?? ""
        let rows = try await database.query(PostgresQuery(
            unsafeSQL: "\(selection) WHERE \(condition) ORDER BY d.nom_famille, d.prenoms, c.numero \(limite)", binds: valeurs))
        var items: [Candidature] = []
        for try await texte in rows.decode(String.self) { items.append(try Self.decoder.decode(Candidature.self, from: Data(texte.utf8))) }
        let compte = try await database.query(PostgresQuery(
            unsafeSQL: """
                SELECT count(*)::int8 FROM \(database.table("candidatures")) c JOIN \(database.table("candidats")) d ON d.id = c.candidat
                WHERE \(condition)
                """, binds: valeurs))
        var total = 0
        for try await n in compte.decode(Int64.self) { total = Int(n) }
        return (items, total)
    }

    /// The WHERE clause of a list, with its bound values.
    func where_(_ filtre: Filtre) -> (String, PostgresBindings) {
        var binds = PostgresBindings()
        var conditions: [String] = []
        func lier(_ valeur: some PostgresDynamicTypeEncodable & Sendable) -> String {
            binds.append(valeur)
            return "$\(binds.count)"
        }
        if let session = filtre.session { conditions.append("c.session = \(lier(session))") }
        if let specialite = filtre.specialite { conditions.append("c.specialite = \(lier(specialite))") }
        if let uais = filtre.uais { conditions.append("c.uai = ANY(\(lier(uais)))") }
        if let categorie = filtre.categorie { conditions.append("c.categorie = \(lier(categorie))") }
        if let etat = filtre.etat { conditions.append("c.etat = \(lier(etat))") }
        if let amenagement = filtre.amenagement {
            conditions.append("\(amenagement ? "" : "NOT ")EXISTS (SELECT 1 FROM \(database.table("amenagements")) am WHERE am.candidature = c.id)")
        }
        if let recherche = filtre.recherche {
            let motif = "%" + recherche.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            let p = lier(motif)
            conditions.append("(d.nom_famille ILIKE \(p) OR d.prenoms ILIKE \(p) OR c.numero ILIKE \(p) OR d.ine ILIKE \(p))")
        }
        if filtre.compte != nil || filtre.numeros != nil {
            let parNumero = "c.numero = ANY(\(lier(filtre.numeros ?? [])))"
                + (filtre.uaisDesNumeros.map { " AND c.uai = ANY(\(lier($0)))" } ?? "")
            conditions.append("(d.compte = \(lier(filtre.compte ?? "")) OR (\(parNumero)))")
        }
        return (conditions.joined(separator: " AND "), binds)
    }

    /// Among `numeros`, the active candidatures of établissement `uai` in a session not closed,
    /// with the candidate's name: the numéros a papillon may be printed for.
    func numerosDeLEtablissement(_ uai: String, numeros: [String]) async throws -> [(numero: String, nom: String)] {
        guard !numeros.isEmpty else { return [] }
        let rows = try await database.query(SQL.query(
            """
            SELECT c.numero, upper(d.nom_famille) || ' ' || d.prenoms FROM \(database.table("candidatures")) c
            JOIN \(database.table("candidats")) d ON d.id = c.candidat
            JOIN \(database.table("sessions")) s ON s.code = c.session
            WHERE c.uai = $1 AND c.numero = ANY($2) AND c.etat <> 'annulee' AND NOT s.close
            ORDER BY c.numero
            """, uai, numeros))
        var trouves: [(String, String)] = []
        for try await (numero, nom) in rows.decode((String, String).self) { trouves.append((numero, nom)) }
        return trouves
    }

    static let decoder = JSONDecoder()
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json(_ valeur: some Encodable) throws -> String { String(decoding: try encoder.encode(valeur), as: UTF8.self) }

    // MARK: Candidats (the identity shared by a person's candidatures, across sessions)

    /// A stored candidat with what decides who may change his identity: his account and every
    /// candidature (any session, any state) that shares the row.
    struct CandidatConnu: Sendable {
        var id: UUID
        var candidat: Candidat
        var compte: String?
        var candidatures: [(numero: String, uai: String?)]
    }

    private var selectionCandidat: String {
        let d = database.table("candidats"), c = database.table("candidatures")
        return """
            SELECT json_build_object('id', d.id, 'compte', d.compte,
                'candidat', json_build_object('ine', d.ine, 'nomFamille', d.nom_famille, 'nomUsage', d.nom_usage,
                    'prenoms', d.prenoms, 'sexe', d.sexe, 'dateNaissance', to_char(d.date_naissance, 'YYYY-MM-DD'),
                    'communeNaissance', d.commune_naissance, 'paysNaissance', d.pays_naissance, 'adresse', d.adresse,
                    'codePostal', d.code_postal, 'commune', d.commune, 'courriel', d.courriel, 'telephone', d.telephone),
                'candidatures', COALESCE((SELECT json_agg(json_build_object('numero', c.numero, 'uai', c.uai) ORDER BY c.numero)
                    FROM \(c) c WHERE c.candidat = d.id), '[]'::json))::text
            FROM \(d) d
            """
    }

    private struct CandidatLu: Decodable {
        struct Ligne: Decodable { var numero: String; var uai: String? }
        var id: UUID
        var compte: String?
        var candidat: Candidat
        var candidatures: [Ligne]

        var connu: CandidatConnu {
            CandidatConnu(id: id, candidat: candidat, compte: compte, candidatures: candidatures.map { ($0.numero, $0.uai) })
        }
    }

    /// The candidat with this INE, else the one of this account, locked for the transaction.
    func candidatExistant(ine: String?, compte: String?, on connection: PostgresConnection) async throws -> CandidatConnu? {
        let table = database.table("candidats")
        var existant: UUID?
        if let ine {
            for try await id in try await connection.query(SQL.query("SELECT id FROM \(table) WHERE ine = $1 FOR UPDATE", ine), logger: logger).decode(UUID.self) {
                existant = id
            }
        }
        if existant == nil, let compte {
            for try await id in try await connection.query(SQL.query("SELECT id FROM \(table) WHERE compte = $1 FOR UPDATE", compte), logger: logger).decode(UUID.self) {
                existant = id
            }
        }
        guard let existant else { return nil }
        return try await candidatConnu(existant, on: connection)
    }

    /// A candidat by id, with his account and candidatures.
    func candidatConnu(_ id: UUID, on connection: PostgresConnection) async throws -> CandidatConnu? {
        let rows = try await connection.query(SQL.query("\(selectionCandidat) WHERE d.id = $1", id), logger: logger)
        for try await texte in rows.decode(String.self) { return try Self.decoder.decode(CandidatLu.self, from: Data(texte.utf8)).connu }
        return nil
    }

    /// The candidats of these INEs (an import's lines), by INE.
    func candidatsConnus(ines: [String], on connection: PostgresConnection) async throws -> [String: CandidatConnu] {
        guard !ines.isEmpty else { return [:] }
        let rows = try await connection.query(SQL.query("\(selectionCandidat) WHERE d.ine = ANY($1)", ines), logger: logger)
        var connus: [String: CandidatConnu] = [:]
        for try await texte in rows.decode(String.self) {
            let connu = try Self.decoder.decode(CandidatLu.self, from: Data(texte.utf8)).connu
            if let ine = connu.candidat.ine { connus[ine] = connu }
        }
        return connus
    }

    // MARK: Writes (inside the caller's transaction)

    /// A new candidat.
    func nouveauCandidat(_ candidat: Candidat, compte: String?, on connection: PostgresConnection) async throws -> UUID {
        let table = database.table("candidats")
        let id = UUID()
        do {
            try await connection.query(SQL.query(
                """
                INSERT INTO \(table) (id, ine, compte, nom_famille, nom_usage, prenoms, sexe, date_naissance, commune_naissance,
                    pays_naissance, adresse, code_postal, commune, courriel, telephone, cle_identite)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9, $10, $11, $12, $13, $14, $15, $16)
                """,
                id, candidat.ine, compte, candidat.nomFamille, candidat.nomUsage, candidat.prenoms, candidat.sexe.rawValue,
                candidat.dateNaissance, candidat.communeNaissance, candidat.paysNaissance, candidat.adresse, candidat.codePostal,
                candidat.commune, candidat.courriel, candidat.telephone, candidat.cleIdentite), logger: logger)
        } catch where error.violationUnicite {
            throw ServiceError.conflict("candidat.ine_utilise", "L'INE \(candidat.ine ?? "") est déjà celui d'un autre candidat.")
        }
        return id
    }

    func mettreAJour(_ id: UUID, _ candidat: Candidat, on connection: PostgresConnection) async throws {
        do {
            try await connection.query(SQL.query(
                """
                UPDATE \(database.table("candidats")) SET ine = COALESCE($2, ine), nom_famille = $3, nom_usage = $4, prenoms = $5,
                    sexe = $6, date_naissance = $7::date, commune_naissance = $8, pays_naissance = $9, adresse = $10,
                    code_postal = $11, commune = $12, courriel = $13, telephone = $14, cle_identite = $15
                WHERE id = $1
                """,
                id, candidat.ine, candidat.nomFamille, candidat.nomUsage, candidat.prenoms, candidat.sexe.rawValue,
                candidat.dateNaissance, candidat.communeNaissance, candidat.paysNaissance, candidat.adresse, candidat.codePostal,
                candidat.commune, candidat.courriel, candidat.telephone, candidat.cleIdentite), logger: logger)
        } catch where error.violationUnicite {
            throw ServiceError.conflict("candidat.ine_utilise", "L'INE \(candidat.ine ?? "") est déjà celui d'un autre candidat.")
        }
    }

    /// The active candidature of this candidat in the session, other than `sauf`.
    func autreCandidature(candidat: UUID, session: String, sauf: UUID?, on connection: PostgresConnection) async throws -> (numero: String, specialite: String)? {
        let rows = try await connection.query(SQL.query(
            """
            SELECT numero, specialite FROM \(database.table("candidatures"))
            WHERE candidat = $1 AND session = $2 AND etat <> 'annulee' AND id IS DISTINCT FROM $3 LIMIT 1
            """, candidat, session, sauf), logger: logger)
        for try await (numero, specialite) in rows.decode((String, String).self) { return (numero, specialite) }
        return nil
    }

    /// Another person with the same name and birth date holding an active candidature in the session.
    func homonyme(cle: String, candidat: UUID, session: String, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query(SQL.query(
            """
            SELECT c.numero FROM \(database.table("candidatures")) c JOIN \(database.table("candidats")) d ON d.id = c.candidat
            WHERE d.cle_identite = $1 AND d.id <> $2 AND c.session = $3 AND c.etat <> 'annulee' ORDER BY c.numero LIMIT 1
            """, cle, candidat, session), logger: logger)
        for try await numero in rows.decode(String.self) { return numero }
        return nil
    }

    func nouvelleCandidature(
        id: UUID, session: String, candidat: UUID, choix: Choix, homonymeAccepte: String?, par: String,
        on connection: PostgresConnection
    ) async throws -> String {
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("candidatures"))
                (id, numero, session, candidat, categorie, uai, specialite, options, facultatives, forme, benefices, dispenses,
                 etat, homonyme_accepte, cree_par, ulterieures, consentement_publication)
            VALUES ($1, lpad(nextval('\(database.schema).numero_candidat')::text, 8, '0'), $2, $3, $4, $5, $6, $7, $8, $9,
                    $10::jsonb, $11::jsonb, 'brouillon', $12, $13, $14, $15)
            RETURNING numero
            """,
            id, session, candidat, choix.categorie.rawValue, choix.uai, choix.specialite, choix.options, choix.facultatives,
            choix.forme.rawValue, try Self.json(choix.benefices), try Self.json(choix.dispenses), homonymeAccepte, par,
            choix.ulterieures, choix.consentementPublication), logger: logger)
        for try await numero in rows.decode(String.self) { return numero }
        throw ServiceError(.internalServerError, code: "candidature.numero", message: "Aucun numéro candidat n'a été attribué.")
    }

    func enregistrerChoix(_ id: UUID, _ choix: Choix, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            """
            UPDATE \(database.table("candidatures")) SET categorie = $2, uai = $3, specialite = $4, options = $5, facultatives = $6,
                forme = $7, benefices = $8::jsonb, dispenses = $9::jsonb, ulterieures = $10, consentement_publication = $11,
                modifie_le = now()
            WHERE id = $1
            """,
            id, choix.categorie.rawValue, choix.uai, choix.specialite, choix.options, choix.facultatives, choix.forme.rawValue,
            try Self.json(choix.benefices), try Self.json(choix.dispenses), choix.ulterieures, choix.consentementPublication), logger: logger)
    }

    /// Validation or change of a validated candidature: the computed units, the new state, one more revision.
    func enregistrerValidation(_ id: UUID, etat: EtatCandidature, resultat: ReglesInscription.Resultat, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(SQL.query(
            """
            UPDATE \(database.table("candidatures")) SET etat = $2, unites = $3::jsonb, categorie_reglementaire = $4,
                reglement_version = $5, revision = revision + 1, modifie_le = now(), validee_le = COALESCE(validee_le, now())
            WHERE id = $1 RETURNING revision
            """,
            id, etat.rawValue, try Self.json(resultat.unites), resultat.categorieReglementaire.rawValue, resultat.reglementVersion),
            logger: logger)
        for try await revision in rows.decode(Int.self) { return revision }
        return 0
    }

    func enregistrerAnnulation(_ id: UUID, motif: String, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(SQL.query(
            """
            UPDATE \(database.table("candidatures")) SET etat = 'annulee', motif_annulation = $2, annulee_le = now(),
                modifie_le = now(), revision = revision + 1
            WHERE id = $1 RETURNING revision
            """, id, motif), logger: logger)
        for try await revision in rows.decode(Int.self) { return revision }
        return 0
    }

    func accepterHomonyme(_ id: UUID, numero: String, on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "UPDATE \(database.table("candidatures")) SET homonyme_accepte = $2 WHERE id = $1", id, numero), logger: logger)
    }

    /// Types of the candidature's pieces that are received or accepted.
    func piecesValables(_ candidature: UUID, on connection: PostgresConnection) async throws -> Set<String> {
        let rows = try await connection.query(SQL.query(
            "SELECT DISTINCT type FROM \(database.table("pieces")) WHERE candidature = $1 AND statut <> 'refusee'", candidature),
            logger: logger)
        var types: Set<String> = []
        for try await type in rows.decode(String.self) { types.insert(type) }
        return types
    }

    // MARK: History

    struct Evenement: Codable, Sendable {
        var le: String
        var par: String
        var role: String
        var action: String
        var detail: [String: Ecart]
    }

    /// A change of one field: before and after, as text.
    struct Ecart: Codable, Sendable, Equatable {
        var avant: String?
        var apres: String?
    }

    func noter(_ candidature: UUID, _ action: String, par appelant: InternalIdentity, detail: [String: Ecart] = [:], on connection: PostgresConnection) async throws {
        try await connection.query(SQL.query(
            "INSERT INTO \(database.table("historique")) (candidature, par, role, action, detail) VALUES ($1, $2, $3, $4, $5::jsonb)",
            candidature, appelant.subject, appelant.role.rawValue, action, try Self.json(detail)), logger: logger)
    }

    func historique(_ candidature: UUID) async throws -> [Evenement] {
        let rows = try await database.query(SQL.query(
            """
            SELECT \(Self.horodatage("le")), par, role, action, detail::text FROM \(database.table("historique"))
            WHERE candidature = $1 ORDER BY position
            """, candidature))
        var evenements: [Evenement] = []
        for try await (le, par, role, action, detail) in rows.decode((String, String, String, String, String).self) {
            evenements.append(Evenement(le: le, par: par, role: role, action: action,
                                        detail: try Self.decoder.decode([String: Ecart].self, from: Data(detail.utf8))))
        }
        return evenements
    }

    /// Field-by-field differences between two states of a candidature (flattened JSON paths).
    static func ecarts(_ avant: Candidature, _ apres: Candidature) -> [String: Ecart] {
        func aplatir(_ c: Candidature) -> [String: String] {
            var champs: [String: String] = [:]
            if let data = try? encoder.encode(c.candidat),
               let identite = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
                for (nom, valeur) in identite { champs["candidat.\(nom)"] = "\(valeur)" }
            }
            champs["categorie"] = c.categorie.rawValue
            champs["uai"] = c.uai
            champs["specialite"] = c.specialite
            champs["options"] = c.options.joined(separator: ", ")
            champs["facultatives"] = c.facultatives.joined(separator: ", ")
            champs["forme"] = c.forme.rawValue
            champs["benefices"] = c.benefices.map { "\($0.unite) \(ReglesInscription.note($0.note)) (\($0.dateObtention))" }.joined(separator: "; ")
            champs["dispenses"] = c.dispenses.map { "\($0.unite) \($0.motif.rawValue)" }.joined(separator: "; ")
            champs["consentementPublication"] = c.consentementPublication ? "oui" : "non"
            return champs.filter { !$0.value.isEmpty }
        }
        let a = aplatir(avant), b = aplatir(apres)
        var ecarts: [String: Ecart] = [:]
        for cle in Set(a.keys).union(b.keys) where a[cle] != b[cle] {
            ecarts[cle] = Ecart(avant: a[cle], apres: b[cle])
        }
        return ecarts
    }
}
