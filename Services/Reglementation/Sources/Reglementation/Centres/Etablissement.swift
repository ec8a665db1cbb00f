import Contracts
import Domain
import Foundation
import Hummingbird

/// An établissement known to the académie (its record, not yet a role in a session).
public struct Etablissement: Codable, Sendable, Equatable, ResponseCodable {
    public var uai: UAI
    public var nom: String
    public var adresse: String
    public var codePostal: String
    public var commune: String
    public var secteur: Secteur
    /// Habilitated CFA / FPC centre: its candidates may take CCF.
    public var habilitationCFA: Bool
    public var habilitationFPC: Bool
    public var modifiePar: String
    public var modifieLe: Date
}

/// An établissement's roles in a session.
public struct Centre: Codable, Sendable, Equatable, ResponseCodable {
    public var session: SessionCode
    public var uai: UAI
    public var nom: String
    public var commune: String
    public var secteur: Secteur
    public var habilitationCFA: Bool
    public var habilitationFPC: Bool
    public var roles: [RoleCentre]
    public var gestionAutonome: Bool
    public var salles: [Salle]
    /// Total seats of its rooms.
    public var places: Int
    public var revision: Int
    public var modifiePar: String
    public var modifieLe: Date
}

/// A checked établissement record, as the routes pass it to the repository.
struct FicheEtablissement: Sendable, Equatable {
    var uai: UAI
    var nom: String
    var adresse: String
    var codePostal: String
    var commune: String
    var secteur: Secteur
    var habilitationCFA: Bool
    var habilitationFPC: Bool
}

/// A checked centre declaration.
struct DeclarationCentre: Sendable, Equatable {
    var roles: [RoleCentre]
    var gestionAutonome: Bool
    var salles: [Salle]
}
