import Domain
import Foundation
import Messaging

/// `reglementation.session.ouverte` v1 — a session of the BP exam was opened in an académie.
/// Consumers create their own record of the session from it.
public struct SessionOuverte: MessageContract, Equatable {
    public static let type = "reglementation.session.ouverte"
    public static let version = 1

    public var session: SessionCode
    /// Académie code, e.g. `A01`.
    public var academie: String
    public var libelle: String
    /// Who opened it (the gestionnaire's subject).
    public var ouvertePar: String
    /// For a session de remplacement: the normal session it replaces (optional, added in v1).
    public var sessionNormale: SessionCode?
    /// First and last day of the tests, `YYYY-MM-DD`, when planned (optional, added in v1).
    public var debutEpreuves: String?
    public var finEpreuves: String?

    public init(
        session: SessionCode, academie: String, libelle: String, ouvertePar: String,
        sessionNormale: SessionCode? = nil, debutEpreuves: String? = nil, finEpreuves: String? = nil
    ) {
        self.session = session
        self.academie = academie
        self.libelle = libelle
        self.ouvertePar = ouvertePar
        self.sessionNormale = sessionNormale
        self.debutEpreuves = debutEpreuves
        self.finEpreuves = finEpreuves
    }
}
