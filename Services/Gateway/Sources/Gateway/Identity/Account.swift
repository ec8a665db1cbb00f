import Foundation
import Hummingbird
import ServiceKit

/// A user account and its habilitation: one role, and the scopes that limit it.
public struct Account: Codable, Sendable, Equatable, ResponseEncodable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case enAttente = "en_attente"
        case actif
        case desactive
    }

    public var id: UUID
    public var login: String
    public var displayName: String
    public var email: String?
    public var role: Role
    public var scopes: [String]
    public var state: State
    public var createdAt: Date

    public var identity: InternalIdentity {
        InternalIdentity(subject: id.uuidString.lowercased(), role: role, scopes: Set(scopes))
    }
}

/// Scopes are `kind:value`; which kinds a role takes.
enum Scope {
    static func kinds(for role: Role) -> Set<String> {
        switch role {
        case .etablissement: ["uai", "centre"]
        case .correcteur, .interrogateur: ["lot"]
        case .presidentJury: ["jury"]
        case .chefCentre: ["uai"]
        case .candidat: ["candidat", "uai"]
        case .gestionnaire: ["academie"]
        case .admin, .service: []
        }
    }

    /// Checks every scope's shape for the role; returns the French problems found.
    static func problems(_ scopes: [String], role: Role) -> [String] {
        var problems: [String] = []
        let allowed = kinds(for: role)
        for scope in scopes {
            let parts = scope.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                problems.append("Habilitation « \(scope) » mal formée : attendu type:valeur.")
                continue
            }
            guard allowed.contains(parts[0]) else {
                problems.append("Le rôle \(role.rawValue) n'accepte pas d'habilitation « \(parts[0]) ».")
                continue
            }
            if parts[0] == "uai" {
                do { _ = try UAIValue(parts[1]) } catch { problems.append(error.message) }
            }
        }
        return problems
    }
}

import Domain
typealias UAIValue = UAI
