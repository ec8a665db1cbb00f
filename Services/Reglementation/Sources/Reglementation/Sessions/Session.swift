import Contracts
import Domain
import Foundation
import Hummingbird

/// A session as the gestionnaire sees it.
public struct Session: Codable, Sendable, Equatable, ResponseCodable {
    public enum Etat: String, Codable, Sendable {
        case ouverte
        case close
    }

    public var code: SessionCode
    public var academie: String
    public var libelle: String
    public var nature: SessionCode.Nature
    /// The normal session a session de remplacement replaces.
    public var sessionNormale: SessionCode?
    /// First and last day of the tests, `YYYY-MM-DD`.
    public var debutEpreuves: String?
    public var finEpreuves: String?
    public var etat: Etat
    public var ouvertePar: String
    public var ouverteLe: Date
    public var closePar: String?
    public var closeLe: Date?
    /// The step services (in a single session's answer, not in lists).
    public var services: [EtatServiceEtape]?
}

/// A step service of a session: its planned dates, state and who did what when.
public struct EtatServiceEtape: Codable, Sendable, Equatable, ResponseCodable {
    public enum Etat: String, Codable, Sendable {
        /// Never opened yet.
        case aOuvrir = "a_ouvrir"
        case ouvert
        case ferme
    }

    public var service: ServiceEtape
    public var libelle: String
    public var etat: Etat
    public var ouverturePrevue: String?
    public var fermeturePrevue: String?
    public var ouvertLe: Date?
    public var ouvertPar: String?
    public var fermeLe: Date?
    public var fermePar: String?
}

/// One line of a session's timeline.
public struct EvenementHistorique: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        case sessionOuverte = "session_ouverte"
        case sessionClose = "session_close"
        /// Planned dates of a service set or changed.
        case calendrier
        case ouvert
        case rouvert
        case ferme
    }

    public var le: Date
    public var action: Action
    public var service: ServiceEtape?
    public var par: String
    public var ouverturePrevue: String?
    public var fermeturePrevue: String?
}

/// The planned opening and closing days of a service (`YYYY-MM-DD`).
public struct DatesPrevues: Codable, Sendable, Equatable {
    public var ouverture: String?
    public var fermeture: String?

    public init(ouverture: String? = nil, fermeture: String? = nil) {
        self.ouverture = ouverture
        self.fermeture = fermeture
    }
}

/// What it takes to create a session (checked by the routes).
struct NouvelleSession: Sendable {
    var code: SessionCode
    var academie: String
    var libelle: String
    var sessionNormale: SessionCode?
    var debutEpreuves: String?
    var finEpreuves: String?
    var calendrier: [ServiceEtape: DatesPrevues]
}
