import Domain
import Foundation
import Messaging

/// `publication.document.publie` v1 — a document was published in someone's documents space
/// (« Reçoit une notification pour chaque document publié »): the gateway, which holds the
/// accounts and their e-mail addresses, mails the notification to every active account of the
/// recipient's habilitation.
public struct DocumentPublie: MessageContract, Equatable {
    public static let type = "publication.document.publie"
    public static let version = 1

    public var session: SessionCode
    /// Whose space: `candidat:<numéro>` or `uai:<UAI>` (an établissement's), as habilitations say it.
    public var destinataire: String
    public var document: UUID
    public var titre: String
    /// The notification, in French.
    public var message: String

    public init(session: SessionCode, destinataire: String, document: UUID, titre: String, message: String) {
        self.session = session
        self.destinataire = destinataire
        self.document = document
        self.titre = titre
        self.message = message
    }
}
