import Domain
import Foundation

/// The whole state of a centre in a session, as `reglementation.centre.declare` and
/// `reglementation.centre.modifie` carry it (their payload is this object, flat).
public struct CentreEtat: Codable, Sendable, Equatable {
    public var session: SessionCode
    public var uai: UAI
    public var nom: String
    public var commune: String
    public var secteur: Secteur
    /// CFA / FPC habilitations (for CCF).
    public var habilitationCFA: Bool
    public var habilitationFPC: Bool
    public var roles: [RoleCentre]
    /// The établissement manages its own CCF épreuves (placed in it at registration).
    public var gestionAutonome: Bool
    /// Rooms and seats, for a centre d'épreuve.
    public var salles: [Salle]
    /// Grows by one at every change of this centre in this session.
    public var revision: Int

    public init(
        session: SessionCode, uai: UAI, nom: String, commune: String, secteur: Secteur,
        habilitationCFA: Bool, habilitationFPC: Bool, roles: [RoleCentre], gestionAutonome: Bool,
        salles: [Salle], revision: Int
    ) {
        self.session = session
        self.uai = uai
        self.nom = nom
        self.commune = commune
        self.secteur = secteur
        self.habilitationCFA = habilitationCFA
        self.habilitationFPC = habilitationFPC
        self.roles = roles
        self.gestionAutonome = gestionAutonome
        self.salles = salles
        self.revision = revision
    }
}
