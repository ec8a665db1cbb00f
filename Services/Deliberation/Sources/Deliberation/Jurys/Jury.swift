import Domain
import Foundation
import Hummingbird

/// A jury of a session: one spécialité, a président, its members, a centre de délibération and
/// a day; its candidates sit before it. It goes `preparation` → `ouvert` (the gestionnaire opens
/// it) → `clos` (the président closes and signs); only the gestionnaire reopens a closed jury.
struct Jury: Codable, Sendable, ResponseEncodable {
    enum Etat: String, Codable, Sendable {
        case preparation
        case ouvert
        case clos

        var libelle: String {
            switch self {
            case .preparation: "en préparation"
            case .ouvert: "ouvert"
            case .clos: "clos"
            }
        }
    }

    enum Qualite: String, Codable, Sendable, CaseIterable {
        case enseignant
        case professionnel
    }

    struct Membre: Codable, Sendable, Equatable {
        var nom: String
        var qualite: Qualite
    }

    var id: UUID
    var session: String
    var code: String
    var specialite: String
    var centre: String?
    var date: String?
    var president: String
    var membres: [Membre]
    var etat: Etat
    var versionPV: Int
    var candidats: Int
    /// What the composition lacks for the usual parity; never blocking.
    var avertissements: [String]

    /// The habilitation a président de jury's account carries for this jury.
    var habilitation: String { Self.habilitation(session: session, code: code) }

    static func habilitation(session: String, code: String) -> String { "\(session):\(code)" }

    /// The usual composition: as many teachers as professionals (employers and employees), at
    /// least one of each besides the président.
    static func avertissements(_ membres: [Membre]) -> [String] {
        let enseignants = membres.filter { $0.qualite == .enseignant }.count
        let professionnels = membres.count - enseignants
        var avertissements: [String] = []
        if enseignants == 0 || professionnels == 0 {
            avertissements.append("Le jury devrait compter des enseignants et des professionnels (\(enseignants) enseignant(s), \(professionnels) professionnel(s)).")
        } else if enseignants != professionnels {
            avertissements.append("Parité non respectée : \(enseignants) enseignant(s) pour \(professionnels) professionnel(s).")
        }
        return avertissements
    }
}
