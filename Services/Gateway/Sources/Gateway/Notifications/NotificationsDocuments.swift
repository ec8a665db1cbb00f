import Contracts
import Foundation
import Messaging
import PostgresNIO
import Storage

/// « Reçoit une notification pour chaque document publié »: Publication announces each document
/// it publishes in a space (`publication.document.publie`); the gateway, which holds the accounts
/// and their addresses, mails the notice to every active account of the recipient's habilitation
/// (`candidat:<numéro>` — the candidate; `uai:<UAI>` — the établissement's accounts), through its
/// mail outbox, in the consumer's transaction: a redelivery mails nothing twice.
struct NotificationsDocuments: Sendable {
    let database: Database
    let mails: MailOutbox
    let publicURL: String

    func handlers() -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.on(DocumentPublie.self) { envelope, context in
            try await notifier(envelope.payload, on: context.connection)
        }
        return handlers
    }

    func notifier(_ document: DocumentPublie, on connection: PostgresConnection) async throws {
        let (role, espace): (String, String) = document.destinataire.hasPrefix("candidat:")
            ? ("candidat", "/candidat") : ("etablissement", "/etablissement/resultats?session=\(document.session.value)")
        let rows = try await connection.query(SQL.query(
            """
            SELECT email FROM \(database.table("accounts"))
            WHERE $1 = ANY(scopes) AND role = $2 AND state = 'actif' AND email IS NOT NULL
            """, document.destinataire, role), logger: database.logger)
        var adresses: [String] = []
        for try await email in rows.decode(String.self) { adresses.append(email) }
        for adresse in adresses {
            try await mails.enqueue(
                to: adresse, subject: "Cyclades BP — \(document.titre)",
                body: """
                    Bonjour,

                    \(document.message)

                    Vous pouvez le consulter dans votre espace : \(publicURL)\(espace)

                    Division des examens et concours
                    """,
                purpose: "document", on: connection)
        }
        database.logger.info("document notification mailed", metadata: [
            "document": "\(document.document)", "destinataire": "\(document.destinataire)", "courriels": "\(adresses.count)"])
    }
}
