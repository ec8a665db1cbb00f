import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import Storage

/// The documents of a session's end (« Génère les documents (relevés de notes et diplômes) »):
/// one row per document with its verification code; the PDF is drawn from the released result.
struct DocumentRepository: Sendable {
    let database: Database

    enum TypeDocument: String, Codable, Sendable, CaseIterable {
        case releve, attestation, diplome

        var libelle: String {
            switch self {
            case .releve: "Relevé de notes"
            case .attestation: "Attestation de réussite"
            case .diplome: "Diplôme"
            }
        }
    }

    struct Generation: ResponseEncodable, Sendable {
        var releves: Int
        var attestations: Int
        var diplomes: Int
        /// Earlier documents replaced because their result was revised since.
        var remplaces: Int
    }

    /// A code no one guesses: 16 characters of Crockford's base32 (80 bits), grouped by four.
    static func nouveauCode() -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var generateur = SystemRandomNumberGenerator()
        let caracteres = (0..<16).map { _ in alphabet[Int(generateur.next(upperBound: UInt32(alphabet.count)))] }
        return stride(from: 0, to: 16, by: 4).map { String(caracteres[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// Generates what is missing for every released result of the session: a relevé for each
    /// candidate, an attestation and a diplôme for each admitted one; a document of an older
    /// revision is replaced. Running it again generates nothing new.
    func generer(_ session: SessionCode, outbox: OutboxWriter) async throws -> Generation {
        try await database.transaction { connection in
            try await connection.query(SQL.query(
                "SELECT pg_advisory_xact_lock(hashtext($1))::text", "documents:\(session.value)"), logger: database.logger)
            let remplaces = try await connection.query(SQL.query(
                """
                UPDATE \(database.table("documents")) d SET remplace_le = now()
                FROM \(database.table("resultats_publies")) p
                WHERE d.candidature = p.candidature AND d.session = $1 AND d.remplace_le IS NULL
                  AND (d.revision < p.revision OR (d.type <> 'releve' AND p.decision <> 'admis'))
                RETURNING d.id
                """, session.value), logger: database.logger)
            var nombreRemplaces = 0
            for try await _ in remplaces.decode(UUID.self) { nombreRemplaces += 1 }

            let manquants = try await connection.query(SQL.query(
                """
                SELECT p.candidature, t.type, p.revision
                FROM \(database.table("resultats_publies")) p
                CROSS JOIN (VALUES ('releve'), ('attestation'), ('diplome')) AS t (type)
                WHERE p.session = $1 AND (t.type = 'releve' OR p.decision = 'admis')
                  AND NOT EXISTS (SELECT 1 FROM \(database.table("documents")) d
                                  WHERE d.candidature = p.candidature AND d.type = t.type AND d.remplace_le IS NULL)
                """, session.value), logger: database.logger)
            var lignes: [(UUID, String, Int)] = []
            for try await ligne in manquants.decode((UUID, String, Int).self) { lignes.append(ligne) }
            let ids = lignes.map { _ in UUID() }
            try await connection.query(SQL.query(
                """
                INSERT INTO \(database.table("documents")) (id, session, candidature, type, code, revision)
                SELECT d.id, $1, d.candidature, d.type, d.code, d.revision
                FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int4[]) AS d (id, candidature, type, code, revision)
                """,
                session.value, ids, lignes.map(\.0), lignes.map(\.1), lignes.map { _ in Self.nouveauCode() },
                lignes.map { Int32(clamping: $0.2) }), logger: database.logger)
            try await notifier(session, documents: Array(zip(ids, lignes.map(\.0))), on: connection, outbox: outbox)
            return Generation(
                releves: lignes.filter { $0.1 == "releve" }.count, attestations: lignes.filter { $0.1 == "attestation" }.count,
                diplomes: lignes.filter { $0.1 == "diplome" }.count, remplaces: nombreRemplaces)
        }
    }

    /// « Reçoit une notification pour chaque document publié »: one notice per candidate whose
    /// documents were generated, one per établissement for its students; kept and announced
    /// (`publication.document.publie`, which the gateway mails), in the generation's transaction.
    private func notifier(_ session: SessionCode, documents: [(id: UUID, candidature: UUID)], on connection: PostgresConnection,
                          outbox: OutboxWriter) async throws {
        guard !documents.isEmpty else { return }
        var premier: [UUID: UUID] = [:]
        for (id, candidature) in documents where premier[candidature] == nil { premier[candidature] = id }
        let rows = try await connection.query(SQL.query(
            "SELECT id, numero, etablissement_uai FROM \(database.table("candidatures")) WHERE id = ANY($1)", Array(premier.keys)),
            logger: database.logger)
        var notices: [(destinataire: String, document: UUID, message: String)] = []
        var parEtablissement: [String: (document: UUID, eleves: Int)] = [:]
        for try await (candidature, numero, uai) in rows.decode((UUID, String, String?).self) {
            guard let document = premier[candidature] else { continue }
            notices.append(("candidat:\(numero)", document, "Vos documents de fin de session sont disponibles dans votre espace."))
            if let uai { parEtablissement[uai] = (parEtablissement[uai]?.document ?? document, (parEtablissement[uai]?.eleves ?? 0) + 1) }
        }
        for (uai, (document, eleves)) in parEtablissement.sorted(by: { $0.key < $1.key }) {
            notices.append(("uai:\(uai)", document, "Les documents de fin de session de \(eleves) élève(s) sont disponibles : à leur remettre."))
        }
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("notifications")) (session, destinataire, document, message)
            SELECT $1, n.destinataire, n.document, n.message FROM UNNEST($2::text[], $3::uuid[], $4::text[]) AS n (destinataire, document, message)
            """, session.value, notices.map(\.destinataire), notices.map(\.document), notices.map(\.message)), logger: database.logger)
        try await outbox.write(
            try notices.map { n in
                try outbox.entry(DocumentPublie(session: session, destinataire: n.destinataire, document: n.document,
                                                titre: "Documents de fin de session", message: n.message),
                                 aggregate: "document:\(n.document.uuidString.lowercased())")
            }, on: connection, logger: database.logger)
    }

    struct DocumentCandidat: Codable, Sendable {
        var id: UUID
        var type: TypeDocument
        var libelle: String
        var session: String
        var code: String
        var genereLe: Date
    }

    /// A candidate's current documents (his numéro), newest session first.
    func documents(numero: String) async throws -> [DocumentCandidat] {
        let rows = try await database.query(SQL.query(
            """
            SELECT d.id, d.type, d.session, d.code, d.genere_le
            FROM \(database.table("documents")) d JOIN \(database.table("candidatures")) c ON c.id = d.candidature
            WHERE c.numero = $1 AND d.remplace_le IS NULL
              AND NOT EXISTS (SELECT 1 FROM \(database.table("types_masques")) m WHERE m.session = d.session AND m.type = d.type)
            ORDER BY d.session DESC, d.type
            """, numero))
        var documents: [DocumentCandidat] = []
        for try await (id, type, session, code, le) in rows.decode((UUID, String, String, String, Date).self) {
            guard let type = TypeDocument(rawValue: type) else { continue }
            documents.append(DocumentCandidat(id: id, type: type, libelle: type.libelle, session: session, code: code, genereLe: le))
        }
        return documents
    }

    /// Everything a document is drawn from.
    struct Contenu: Sendable {
        var type: TypeDocument
        var code: String
        var remplace: Bool
        /// Its type is hidden by the gestionnaire for the session: not shown to its holder.
        var masque: Bool
        var genereLe: Date
        var session: String
        var sessionLibelle: String
        var academie: String
        var numero: String
        var nomFamille: String
        var nomUsage: String?
        var prenoms: String
        var dateNaissance: String
        var etablissement: String?
        var resultat: ResultatArrete
        /// The académie's PNG logo and recteur's signature, when deposited (`logo.academie`,
        /// `signature.recteur`).
        var logo: [UInt8]?
        var signature: [UInt8]?
    }

    /// A document by its id (for its holder) or by its verification code (anyone).
    func contenu(id: UUID? = nil, code: String? = nil) async throws -> Contenu? {
        try await contenus(id: id, code: code, limite: 1).first
    }

    /// The current documents of a type for an établissement's students (of a type not hidden),
    /// by name: what it hands out. At most `limite`.
    func aRemettre(_ session: SessionCode, type: TypeDocument, etablissement: String?, limite: Int) async throws -> [Contenu] {
        try await contenus(session: session.value, type: type.rawValue, etablissement: etablissement, courants: true, limite: limite)
    }

    private func contenus(
        id: UUID? = nil, code: String? = nil, session: String? = nil, type: String? = nil, etablissement: String? = nil,
        courants: Bool = false, limite: Int
    ) async throws -> [Contenu] {
        let rows = try await database.query(SQL.query(
            """
            SELECT d.type, d.code, d.remplace_le IS NOT NULL, d.genere_le, d.session, s.libelle, s.academie, c.numero, c.nom_famille,
                c.nom_usage, c.prenoms, to_char(c.date_naissance, 'YYYY-MM-DD'), c.etablissement_nom, p.contenu::text, d.revision,
                p.revision,
                EXISTS (SELECT 1 FROM \(database.table("types_masques")) m WHERE m.session = d.session AND m.type = d.type)
            FROM \(database.table("documents")) d
            JOIN \(database.table("candidatures")) c ON c.id = d.candidature
            JOIN \(database.table("sessions")) s ON s.code = d.session
            JOIN \(database.table("resultats_publies")) p ON p.candidature = d.candidature
            WHERE ($1::uuid IS NULL OR d.id = $1) AND ($2::text IS NULL OR d.code = $2)
              AND ($3::text IS NULL OR d.session = $3) AND ($4::text IS NULL OR d.type = $4)
              AND ($5::text IS NULL OR c.etablissement_uai = $5)
              AND (NOT $6::boolean OR (d.remplace_le IS NULL AND d.revision = p.revision
                   AND NOT EXISTS (SELECT 1 FROM \(database.table("types_masques")) m WHERE m.session = d.session AND m.type = d.type)))
            ORDER BY COALESCE(c.nom_usage, c.nom_famille), c.prenoms, c.numero
            LIMIT $7
            """, id, code, session, type, etablissement, courants, limite))
        var contenus: [Contenu] = []
        // The académie's images, read once per académie, not once per document.
        var images: [String: [String: [UInt8]]] = [:]
        for try await (type, code, remplace, le, session, libelle, academie, numero, nom, usage, prenoms, naissance, etablissement, contenu, revision, publiee, masque)
            in rows.decode((String, String, Bool, Date, String, String, String, String, String, String?, String, String, String?, String, Int, Int, Bool).self) {
            guard let type = TypeDocument(rawValue: type) else { continue }
            // A replaced document is drawn from the revision it was generated from only while
            // that revision is the published one; otherwise it is shown as replaced.
            let resultat = try MessageCoding.decoder().decode(ResultatArrete.self, from: Data(contenu.utf8))
            if images[academie] == nil { images[academie] = try await ressources(academie: academie) }
            let logo = images[academie]?["logo.academie"], signature = images[academie]?["signature.recteur"]
            contenus.append(Contenu(
                type: type, code: code, remplace: remplace || revision != publiee, masque: masque, genereLe: le, session: session, sessionLibelle: libelle,
                academie: academie, numero: numero, nomFamille: nom, nomUsage: usage, prenoms: prenoms, dateNaissance: naissance,
                etablissement: etablissement, resultat: resultat, logo: logo, signature: signature))
        }
        return contenus
    }

    /// Hides a type of document of the session from its holders, or shows it again.
    func masquer(_ type: String, session: SessionCode, masque: Bool, par: String) async throws {
        if masque {
            try await database.query(SQL.query(
                "INSERT INTO \(database.table("types_masques")) (session, type, masque_par) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                session.value, type, par))
        } else {
            try await database.query(SQL.query(
                "DELETE FROM \(database.table("types_masques")) WHERE session = $1 AND type = $2", session.value, type))
        }
    }

    /// The types hidden for the session.
    func typesMasques(_ session: SessionCode) async throws -> [String] {
        let rows = try await database.query(SQL.query(
            "SELECT type FROM \(database.table("types_masques")) WHERE session = $1 ORDER BY type", session.value))
        var types: [String] = []
        for try await type in rows.decode(String.self) { types.append(type) }
        return types
    }

    /// The académie's PNG resources by code (the kit draws PNG only: others are left out).
    func ressources(academie: String) async throws -> [String: [UInt8]] {
        let rows = try await database.query(SQL.query(
            """
            SELECT code, contenu FROM \(database.table("ressources"))
            WHERE academie = $1 AND media_type = 'image/png' AND code IN ('logo.academie', 'signature.recteur')
            """, academie))
        var images: [String: [UInt8]] = [:]
        for try await (code, contenu) in rows.decode((String, ByteBuffer).self) { images[code] = Array(buffer: contenu) }
        return images
    }
}
