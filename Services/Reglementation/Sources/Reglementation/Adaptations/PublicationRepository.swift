import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// Publishes a session's règlement: the whole content in `reglementation.publiee`, numbered per
/// session, stored with the adaptations' revision it carries.
public struct PublicationRepository: Sendable {
    let database: Database
    let outbox: OutboxWriter

    /// Publishes while the réglementation service is open and at least one spécialité is offered.
    func publier(_ code: SessionCode, par subject: String) async throws -> ReglementPublie {
        let logger = database.logger
        let adaptations = AdaptationRepository(database: database, pilote: PiloteRepository(database: database))
        return try await database.transaction { connection in
            let session = try await SessionVerrouillee.verrouiller(code, database: database, on: connection)
            try session.exigerOuverte()
            let services = try await ServiceEtapeRepository(database: database, outbox: outbox).services(of: code, on: connection)
            guard services.first(where: { $0.service == .reglementation })?.etat == .ouvert else {
                throw ServiceError.conflict(
                    "reglement.service_non_ouvert",
                    "Le règlement de la session \(code.value) se publie pendant le service réglementation : ce service n'est pas ouvert.")
            }
            let offres = try await adaptations.offres(code, on: connection)
            guard !offres.isEmpty else {
                throw ServiceError.conflict(
                    "reglement.aucune_specialite",
                    "Aucune spécialité n'est offerte dans la session \(code.value) : rien à publier.")
            }
            let reglements = try await adaptations.pilote.reglements(offres.map { ($0.specialite, $0.version) }, on: connection)
            let pieces = try await adaptations.pieces(code, on: connection)
            let version = try await derniere(code, on: connection).map { $0.version + 1 } ?? 1
            let publication = ReglementPublie(
                session: code, academie: session.academie, version: version, publiePar: subject,
                specialites: zip(reglements, offres).map { SpecialiteOfferte(reglement: $0, optionsOffertes: $1.options) },
                piecesJustificatives: pieces)
            let contenu = String(decoding: try MessageCoding.encoder().encode(publication), as: UTF8.self)
            try await connection.run(
                SQL.query(
                    """
                    INSERT INTO \(database.table("publications")) (session, version, revision, publiee_par, contenu)
                    VALUES ($1, $2, $3, $4, $5::jsonb)
                    """,
                    code.value, version, session.revisionAdaptations, subject, contenu),
                logger)
            try await outbox.write(publication, aggregate: "session:\(code.value)", on: connection, logger: logger)
            return publication
        }
    }

    /// The latest publication of a session, nil when none.
    func derniere(_ code: SessionCode, on connection: PostgresConnection? = nil) async throws -> (version: Int, revision: Int, contenu: ReglementPublie)? {
        let query = SQL.query(
            "SELECT version, revision, contenu::text FROM \(database.table("publications")) WHERE session = $1 ORDER BY version DESC LIMIT 1",
            code.value)
        let rows = if let connection { try await connection.run(query, database.logger) } else { try await database.query(query) }
        for try await (version, revision, contenu) in rows.decode((Int, Int, String).self) {
            return (version, revision, try MessageCoding.decoder().decode(ReglementPublie.self, from: Data(contenu.utf8)))
        }
        return nil
    }

    /// 409 unless the session's règlement was published after the last change of its adaptations.
    func exigerPublicationAJour(_ session: SessionVerrouillee, on connection: PostgresConnection) async throws {
        guard let derniere = try await derniere(session.code, on: connection) else {
            throw ServiceError.conflict(
                "reglement.non_publie",
                "Le service réglementation ne peut pas être fermé : le règlement de la session \(session.code.value) n'a pas été publié.")
        }
        guard derniere.revision == session.revisionAdaptations else {
            throw ServiceError.conflict(
                "reglement.publication_perimee",
                "Le service réglementation ne peut pas être fermé : les adaptations locales ont changé depuis la publication \(derniere.version) ; publiez à nouveau le règlement.")
        }
    }
}
