import Domain
import Foundation
import Messaging

/// `inscription.candidature.annulee` v1 — a validated candidature was cancelled: the candidate
/// no longer sits this session.
public struct CandidatureAnnulee: MessageContract, Equatable {
    public static let type = "inscription.candidature.annulee"
    public static let version = 1

    public var id: UUID
    public var numero: String
    public var session: SessionCode
    public var motif: String
    public var annuleePar: String
    public var revision: Int

    public init(id: UUID, numero: String, session: SessionCode, motif: String, annuleePar: String, revision: Int) {
        self.id = id
        self.numero = numero
        self.session = session
        self.motif = motif
        self.annuleePar = annuleePar
        self.revision = revision
    }
}
