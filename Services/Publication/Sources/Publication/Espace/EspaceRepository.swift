import Contracts
import Domain
import Foundation
import Hummingbird
import Messaging
import PostgresNIO
import Storage

/// The documents space (management guide 2.10): what other services produce for a candidate —
/// his convocation (organisation), the answer to his aménagement request (inscription) — published
/// to him and his établissement, each with a notification. Written by the consumer, in its
/// transaction: a redelivery publishes nothing twice, an older convocation version changes nothing.
struct EspaceRepository: Sendable {
    let database: Database

    enum TypeEspace: String, Codable, Sendable {
        case convocation, amenagement

        var libelle: String { self == .convocation ? "Convocation" : "Réponse à la demande d'aménagement" }
    }

    private var logger: Logger { database.logger }

    /// A new version of the candidate's convocation replaces the previous one.
    func publier(_ convocation: ConvocationGeneree, le: Date, on connection: PostgresConnection, outbox: OutboxWriter) async throws {
        let titre = "Convocation, version \(convocation.version)" + (convocation.changement.map { " — \($0)" } ?? "")
        guard let id = try await publier(
            session: convocation.session, candidature: convocation.candidature, numero: convocation.numeroCandidat,
            etablissement: convocation.etablissement?.value, type: .convocation, reference: convocation.candidature.uuidString.lowercased(),
            version: convocation.version, titre: titre, contenu: convocation, le: le, on: connection)
        else { return }
        try await notifier(convocation.session, numero: convocation.numeroCandidat, etablissement: convocation.etablissement?.value,
                           document: id, titre: titre, message: "Nouveau document : \(titre).", on: connection, outbox: outbox)
    }

    /// The gestionnaire's answer to an aménagement request (a later decision on the same request
    /// replaces it).
    func publier(_ decision: AmenagementDecide, le: Date, on connection: PostgresConnection, outbox: OutboxWriter) async throws {
        let titre = "Aménagement d'épreuves : demande \(decision.decision.libelle)"
        guard let id = try await publier(
            session: decision.session, candidature: decision.candidature, numero: decision.numero,
            etablissement: decision.etablissement?.value, type: .amenagement, reference: decision.demande.uuidString.lowercased(),
            version: Int(le.timeIntervalSince1970 * 1000), titre: titre, contenu: decision, le: le, on: connection)
        else { return }
        try await notifier(decision.session, numero: decision.numero, etablissement: decision.etablissement?.value,
                           document: id, titre: titre, message: "Nouveau document : \(titre).", on: connection, outbox: outbox)
    }

    /// Upserts a document when its version is higher; returns its id when something was published.
    private func publier<M: Encodable>(
        session: SessionCode, candidature: UUID, numero: String, etablissement: String?, type: TypeEspace, reference: String,
        version: Int, titre: String, contenu: M, le: Date, on connection: PostgresConnection
    ) async throws -> UUID? {
        let json = String(decoding: try MessageCoding.encoder().encode(contenu), as: UTF8.self)
        let rows = try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("espace_documents"))
                (id, session, candidature, numero, etablissement, type, reference, version, titre, contenu, publie_le)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)
            ON CONFLICT (candidature, type, reference) DO UPDATE SET numero = excluded.numero, etablissement = excluded.etablissement,
                version = excluded.version, titre = excluded.titre, contenu = excluded.contenu, publie_le = excluded.publie_le
            WHERE espace_documents.version < excluded.version
            RETURNING id
            """, UUID(), session.value, candidature, numero, etablissement, type.rawValue, reference, version, titre, json, le),
            logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// A notification to the candidate and his établissement: kept (shown in their spaces) and
    /// announced (`publication.document.publie`: the gateway mails it), in the same transaction.
    private func notifier(_ session: SessionCode, numero: String, etablissement: String?, document: UUID, titre: String,
                          message: String, on connection: PostgresConnection, outbox: OutboxWriter) async throws {
        let destinataires = ["candidat:\(numero)"] + (etablissement.map { ["uai:\($0)"] } ?? [])
        let texte = message + (etablissement == nil ? "" : " (candidat \(numero))")
        try await connection.query(SQL.query(
            """
            INSERT INTO \(database.table("notifications")) (session, destinataire, document, message)
            SELECT $1, d, $2, $3 FROM UNNEST($4::text[]) AS d
            """, session.value, document, texte, destinataires), logger: logger)
        try await outbox.write(
            try destinataires.map { destinataire in
                try outbox.entry(DocumentPublie(session: session, destinataire: destinataire, document: document, titre: titre, message: texte),
                                 aggregate: "document:\(document.uuidString.lowercased())")
            }, on: connection, logger: logger)
    }

    // MARK: Reads

    struct DocumentEspace: Codable, Sendable {
        var id: UUID
        var type: TypeEspace
        var libelle: String
        var titre: String
        var session: String
        var numero: String
        var version: Int
        var publieLe: Date
        /// Where the document is read: Publication draws the aménagement answer; the convocation
        /// is Organisation's (its API path).
        var lien: String?
    }

    struct Notification: Codable, Sendable {
        var message: String
        var document: UUID
        var le: Date
    }

    /// The visible documents of a candidate (his numéro), or of an établissement's students.
    func documents(numero: String? = nil, session: String? = nil, etablissement: String? = nil) async throws -> [DocumentEspace] {
        let rows = try await database.query(SQL.query(
            """
            SELECT e.id, e.type, e.titre, e.session, e.numero, e.version, e.publie_le, e.contenu->>'document'
            FROM \(database.table("espace_documents")) e
            WHERE ($1::text IS NULL OR e.numero = $1) AND ($2::text IS NULL OR e.session = $2) AND ($3::text IS NULL OR e.etablissement = $3)
              AND NOT EXISTS (SELECT 1 FROM \(database.table("types_masques")) m WHERE m.session = e.session AND m.type = e.type)
            ORDER BY e.publie_le DESC
            LIMIT 5000
            """, numero, session, etablissement))
        var documents: [DocumentEspace] = []
        for try await (id, type, titre, session, numero, version, le, chemin) in rows.decode((UUID, String, String, String, String, Int, Date, String?).self) {
            guard let type = TypeEspace(rawValue: type) else { continue }
            documents.append(DocumentEspace(
                id: id, type: type, libelle: type.libelle, titre: titre, session: session, numero: numero, version: version, publieLe: le,
                lien: type == .convocation ? chemin.map { "/api/v1/organisation" + $0.dropFirst("/v1".count) } : nil))
        }
        return documents
    }

    /// The latest notifications of `destinataire` (`candidat:<numéro>`, `uai:<UAI>`).
    func notifications(_ destinataire: String, session: String? = nil) async throws -> [Notification] {
        let rows = try await database.query(SQL.query(
            """
            SELECT message, document, creee_le FROM \(database.table("notifications"))
            WHERE destinataire = $1 AND ($2::text IS NULL OR session = $2) ORDER BY id DESC LIMIT 100
            """, destinataire, session))
        var notifications: [Notification] = []
        for try await (message, document, le) in rows.decode((String, UUID, Date).self) {
            notifications.append(Notification(message: message, document: document, le: le))
        }
        return notifications
    }

    /// An aménagement answer (visible) with its decision, for its PDF.
    func amenagement(_ id: UUID) async throws -> (numero: String, etablissement: String?, decision: AmenagementDecide)? {
        let rows = try await database.query(SQL.query(
            """
            SELECT e.numero, e.etablissement, e.contenu::text FROM \(database.table("espace_documents")) e
            WHERE e.id = $1 AND e.type = 'amenagement'
              AND NOT EXISTS (SELECT 1 FROM \(database.table("types_masques")) m WHERE m.session = e.session AND m.type = e.type)
            """, id))
        for try await (numero, etablissement, contenu) in rows.decode((String, String?, String).self) {
            return (numero, etablissement, try MessageCoding.decoder().decode(AmenagementDecide.self, from: Data(contenu.utf8)))
        }
        return nil
    }
}
