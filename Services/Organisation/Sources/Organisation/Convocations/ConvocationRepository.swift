import Contracts
import Documents
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// Convocations: a version per change, its frozen content, `organisation.convocation.generee`
/// for each new version (with what changed). Set-based: contents are read for many candidatures
/// in one query, new versions and events written with UNNEST.
struct ConvocationRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    var logger: Logger { database.logger }

    static let decoder = JSONDecoder()
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The current content of each candidature's convocation (non-cancelled candidatures).
    func contenus(_ ids: [UUID], on connection: PostgresConnection) async throws -> [UUID: ContenuConvocation] {
        let rows = try await connection.query(SQL.query(
            """
            SELECT c.id, c.session, s.libelle, s.academie, c.numero, c.nom_famille, c.nom_usage, c.prenoms, c.date_naissance,
                   c.uai, c.etablissement, c.specialite, COALESCE(u.specialite_libelle, c.specialite), c.amenagements::text,
                   c.majoration_pourcent, f.unite, f.epreuve, COALESCE(u.libelle, f.unite), COALESCE(u.forme, 'ecrite'), f.mode, f.debut,
                   f.duree_minutes, u.duree_minutes, u.preparation_minutes, f.centre, ce.nom, ce.commune, f.salle, f.place
            FROM \(database.table("candidatures")) c
            JOIN \(database.table("sessions")) s ON s.code = c.session
            JOIN \(database.table("affectations")) f ON f.candidature = c.id
            LEFT JOIN \(database.table("unites")) u ON u.session = c.session AND u.specialite = c.specialite AND u.unite = f.unite
            LEFT JOIN \(database.table("centres")) ce ON ce.session = c.session AND ce.uai = f.centre
            WHERE c.id = ANY($1) AND NOT c.annulee
            ORDER BY c.id, f.mode DESC, f.debut NULLS LAST, f.unite
            """, ids), logger: logger)
        var contenus: [UUID: ContenuConvocation] = [:]
        for try await ligne in rows {
            let (id, session, libelle, academie, numero, nom, usage, prenoms, naissance, uai, etab, specialite, specialiteLibelle, amenagements,
                 majoration, unite, epreuve, uniteLibelle, forme, mode, debut, duree, dureeBase, preparation, centre, centreNom, commune, salle, place) =
                try ligne.decode((UUID, String, String, String, String, String, String?, String, String, String?, String?, String, String, String,
                                  Int, String, String, String, String, String, String?, Int?, Int?, Int?, String?, String?, String?, String?, Int?).self)
            if contenus[id] == nil {
                let mesures = (try? Self.decoder.decode([MesureAmenagement].self, from: Data(amenagements.utf8))) ?? []
                contenus[id] = ContenuConvocation(
                    session: session, sessionLibelle: libelle, academie: academie, numero: numero, nomFamille: nom, nomUsage: usage,
                    prenoms: prenoms, dateNaissance: naissance, uai: uai, etablissement: uai.map { u in etab.map { "\($0) (\(u))" } ?? u },
                    specialite: specialite, specialiteLibelle: specialiteLibelle, epreuves: [],
                    amenagements: mesures.map(Self.libelle), documentsAApporter: Self.documents(mesures))
            }
            contenus[id]!.epreuves.append(.init(
                unite: unite, epreuve: epreuve, libelle: uniteLibelle, forme: FormeEpreuve(rawValue: forme)?.libelle ?? forme, mode: mode,
                debut: debut, dureeMinutes: duree, majorationMinutes: majoration > 0 ? max(0, (duree ?? 0) - (dureeBase ?? duree ?? 0)) : 0,
                preparationMinutes: preparation, centre: centre, centreNom: centreNom,
                adresse: commune, salle: salle, table: place))
        }
        return contenus
    }

    static func libelle(_ mesure: MesureAmenagement) -> String {
        var texte = mesure.type.libelle
        if let pourcent = mesure.majorationPourcent { texte += " (+\(pourcent) %)" }
        if let precision = mesure.precision { texte += " : \(precision)" }
        return texte
    }

    static func documents(_ mesures: [MesureAmenagement]) -> [String] {
        var liste = [
            "Cette convocation",
            "Une pièce d'identité officielle en cours de validité, avec photographie",
            "De quoi écrire (stylo à encre bleue ou noire) ; le matériel autorisé est précisé par le sujet",
            "Pour les épreuves pratiques : la tenue professionnelle et les outils prévus par le règlement de l'épreuve",
        ]
        if !mesures.isEmpty { liste.append("La notification de la décision d'aménagement des conditions d'examen") }
        return liste
    }

    /// Writes a new version for each candidature whose convocation would differ from its last
    /// one (or that has none), with the change noted and its event. Returns how many were written.
    @discardableResult
    func generer(_ ids: [UUID], session: String, par: String, on connection: PostgresConnection) async throws -> Int {
        var total = 0
        for debut in stride(from: 0, to: ids.count, by: 2000) {
            total += try await genererLot(Array(ids[debut..<min(debut + 2000, ids.count)]), session: session, par: par, on: connection)
        }
        return total
    }

    private func genererLot(_ ids: [UUID], session: String, par: String, on connection: PostgresConnection) async throws -> Int {
        let contenus = try await contenus(ids, on: connection)
        let precedentes = try await dernieres(Array(contenus.keys), on: connection)
        var candidatures: [UUID] = [], versions: [Int] = [], textes: [String] = [], changements: [String?] = []
        var entries: [OutboxWriter.Entry] = []
        let code = try SessionCode(session)
        for (id, contenu) in contenus.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            let precedente = precedentes[id]
            if let precedente, precedente.contenu == contenu { continue }
            let version = (precedente?.version ?? 0) + 1
            let changement = precedente.flatMap { contenu.changement(depuis: $0.contenu) }
            candidatures.append(id); versions.append(version); changements.append(changement)
            textes.append(String(decoding: try Self.encoder.encode(contenu), as: UTF8.self))
            entries.append(try outbox.entry(
                ConvocationGeneree(
                    session: code, candidature: id, numeroCandidat: contenu.numero, etablissement: contenu.uai.flatMap { try? UAI($0) },
                    version: version, changement: changement, document: "/v1/candidatures/\(id.uuidString.lowercased())/convocation?version=\(version)"),
                aggregate: id.uuidString))
        }
        guard !candidatures.isEmpty else { return 0 }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("convocations")) (candidature, version, contenu, changement, generee_par)
            SELECT id, version, contenu::jsonb, changement, $5 FROM UNNEST($1::uuid[], $2::int4[], $3::text[], $4::text[])
                AS x (id, version, contenu, changement)
            """, candidatures, versions, textes, TableauNullable(changements), par), logger: logger)
        try await outbox.write(entries, on: connection, logger: logger)
        return candidatures.count
    }

    /// New versions for those of `ids` that already have a convocation (a change after generation).
    func regenerer(_ ids: [UUID], session: String, par: String, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(SQL.query(
            "SELECT DISTINCT candidature FROM \(database.table("convocations")) WHERE candidature = ANY($1)", ids), logger: logger)
        var avec: [UUID] = []
        for try await id in rows.decode(UUID.self) { avec.append(id) }
        return avec.isEmpty ? 0 : try await generer(avec, session: session, par: par, on: connection)
    }

    private func dernieres(_ ids: [UUID], on connection: PostgresConnection) async throws -> [UUID: (version: Int, contenu: ContenuConvocation)] {
        let rows = try await connection.query(SQL.query(
            """
            SELECT DISTINCT ON (candidature) candidature, version, contenu::text FROM \(database.table("convocations"))
            WHERE candidature = ANY($1) ORDER BY candidature, version DESC
            """, ids), logger: logger)
        var resultat: [UUID: (version: Int, contenu: ContenuConvocation)] = [:]
        for try await (id, version, texte) in rows.decode((UUID, Int, String).self) {
            resultat[id] = (version, try Self.decoder.decode(ContenuConvocation.self, from: Data(texte.utf8)))
        }
        return resultat
    }

    // MARK: Reads

    struct Version: Codable, Sendable {
        var version: Int
        var changement: String?
        var genereeLe: String
        var genereePar: String
    }

    func versions(_ candidature: UUID) async throws -> [Version] {
        let rows = try await database.query(SQL.query(
            """
            SELECT version, changement, to_char(generee_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), generee_par
            FROM \(database.table("convocations")) WHERE candidature = $1 ORDER BY version DESC
            """, candidature))
        var items: [Version] = []
        for try await (version, changement, le, par) in rows.decode((Int, String?, String, String).self) {
            items.append(Version(version: version, changement: changement, genereeLe: le, genereePar: par))
        }
        return items
    }

    /// The documents of the last versions of `ids` (or of one version when `version` is given),
    /// sorted by name.
    func documents(_ ids: [UUID], version: Int? = nil) async throws -> [Document] {
        let rows = try await database.query(SQL.query(
            """
            SELECT DISTINCT ON (candidature) version, changement, to_char(generee_le AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), contenu::text
            FROM \(database.table("convocations")) WHERE candidature = ANY($1) AND ($2::int4 IS NULL OR version = $2)
            ORDER BY candidature, version DESC
            """, ids, version))
        var documents: [(String, Document)] = []
        for try await (numero, changement, le, texte) in rows.decode((Int, String?, String, String).self) {
            let c = try Self.decoder.decode(ContenuConvocation.self, from: Data(texte.utf8))
            documents.append(("\(c.nomFamille) \(c.prenoms) \(c.numero)", c.document(version: numero, genereeLe: le, changement: changement)))
        }
        return documents.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Candidatures of a session (by établissement, spécialité), with their last convocation version.
    struct Ligne: Codable, Sendable {
        var candidature: UUID
        var numeroCandidat: String
        var nom: String
        var prenoms: String
        var etablissement: String?
        var specialite: String
        var version: Int?
        var changement: String?
    }

    /// `centres`: also the candidates placed for at least one épreuve in one of these centres (an
    /// établissement prints the convocations for the épreuves it runs, not only for its own candidates).
    func liste(session: String, uais: [String]?, specialite: String?, numeros: [String]? = nil, centres: [String]? = nil,
               pagination: Pagination?) async throws -> (items: [Ligne], total: Int) {
        let condition = """
            c.session = $1 AND NOT c.annulee
            AND ($2::text[] IS NULL OR c.uai = ANY($2)
                 OR ($5::text[] IS NOT NULL AND EXISTS (SELECT 1 FROM \(database.table("affectations")) fc
                                                        WHERE fc.candidature = c.id AND fc.centre = ANY($5))))
            AND ($3::text IS NULL OR c.specialite = $3)
            AND ($4::text[] IS NULL OR c.numero = ANY($4))
            """
        let limite = pagination.map { "LIMIT \($0.taille) OFFSET \($0.offset)" } ?? ""
        let rows = try await database.query(SQL.query(
            """
            SELECT c.id, c.numero, c.nom_famille, c.prenoms, c.uai, c.specialite, v.version, v.changement
            FROM \(database.table("candidatures")) c
            LEFT JOIN LATERAL (SELECT version, changement FROM \(database.table("convocations")) WHERE candidature = c.id
                               ORDER BY version DESC LIMIT 1) v ON true
            WHERE \(condition) ORDER BY c.nom_famille, c.prenoms, c.numero \(limite)
            """, session, uais, specialite, numeros, centres))
        var items: [Ligne] = []
        for try await (id, numero, nom, prenoms, uai, specialite, version, changement) in rows.decode(
            (UUID, String, String, String, String?, String, Int?, String?).self)
        {
            items.append(Ligne(candidature: id, numeroCandidat: numero, nom: nom, prenoms: prenoms, etablissement: uai, specialite: specialite,
                               version: version, changement: changement))
        }
        let compte = try await database.query(SQL.query(
            "SELECT count(*)::int8 FROM \(database.table("candidatures")) c WHERE \(condition)", session, uais, specialite, numeros, centres))
        var total = 0
        for try await n in compte.decode(Int64.self) { total = Int(n) }
        return (items, total)
    }

    /// What stops the convocations of these candidatures: épreuves not placed, not seated, not dated.
    func manques(session: String, uais: [String]?, specialite: String?) async throws -> [ServiceError.Detail] {
        let rows = try await database.query(SQL.query(
            """
            SELECT c.numero, upper(c.nom_famille) || ' ' || c.prenoms, f.unite,
                CASE WHEN f.centre IS NULL THEN COALESCE('non placée : ' || f.motif, 'non placée dans un centre')
                     WHEN f.mode = 'ponctuel' AND f.salle IS NULL THEN 'sans salle ni table (placement en salle à faire)'
                     ELSE 'sans date (ni date nationale ni date fixée)' END
            FROM \(database.table("affectations")) f JOIN \(database.table("candidatures")) c ON c.id = f.candidature
            WHERE c.session = $1 AND NOT c.annulee AND ($2::text[] IS NULL OR c.uai = ANY($2)) AND ($3::text IS NULL OR c.specialite = $3)
              AND (f.centre IS NULL OR (f.mode = 'ponctuel' AND (f.salle IS NULL OR f.debut IS NULL)))
            ORDER BY c.nom_famille, c.prenoms, f.unite LIMIT 50
            """, session, uais, specialite))
        var details: [ServiceError.Detail] = []
        for try await (numero, nom, unite, raison) in rows.decode((String, String, String, String).self) {
            details.append(.init(location: "candidat \(numero) (\(nom)) — \(unite)", code: "convocation.epreuve_non_placee", message: raison))
        }
        return details
    }

    /// The ids of the non-cancelled candidatures of a session (by établissement, spécialité).
    func ids(session: String, uais: [String]?, specialite: String?) async throws -> [UUID] {
        let rows = try await database.query(SQL.query(
            """
            SELECT id FROM \(database.table("candidatures")) c WHERE c.session = $1 AND NOT c.annulee
              AND ($2::text[] IS NULL OR c.uai = ANY($2)) AND ($3::text IS NULL OR c.specialite = $3)
            """, session, uais, specialite))
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }
}

extension ConvocationRepository {
    /// Who a candidature is, for the access rule of its convocation.
    func candidature(_ id: UUID) async throws -> (numero: String, uai: String?, session: String)? {
        let rows = try await database.query(SQL.query(
            "SELECT numero, uai, session FROM \(database.table("candidatures")) WHERE id = $1", id))
        for try await (numero, uai, session) in rows.decode((String, String?, String).self) { return (numero, uai, session) }
        return nil
    }

    /// The centres where a candidature is placed for at least one épreuve.
    func centres(_ id: UUID) async throws -> [String] {
        let rows = try await database.query(SQL.query(
            "SELECT DISTINCT centre FROM \(database.table("affectations")) WHERE candidature = $1 AND centre IS NOT NULL", id))
        var centres: [String] = []
        for try await centre in rows.decode(String.self) { centres.append(centre) }
        return centres
    }
}
