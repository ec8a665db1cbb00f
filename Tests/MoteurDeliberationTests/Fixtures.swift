import Domain
import MoteurDeliberation

// The three règlements of DOMAIN.md (« Example règlements »), with the unit codes and the
// plausible coefficients of the shipped national pilot (Services/Reglementation/Pilote).

enum Baremes {
    /// BP Boulanger (2012): Σ coef = 28.
    static let boulanger = Bareme(specialite: "BOULANGER", unites: [
        .obligatoire("U10", "Fabrication d'une commande", coefficient: 12),
        .obligatoire("U20", "Technologie professionnelle", coefficient: 3),
        .obligatoire("U30", "Sciences appliquées", coefficient: 3),
        .obligatoire("U41", "Environnement économique, juridique et gestion", coefficient: 3),
        .obligatoire("U42", "Dossier d'étude technique", coefficient: 3),
        .obligatoire("U50", "Expression française et ouverture sur le monde", coefficient: 3),
        .obligatoire("U60", "Langue vivante étrangère", coefficient: 1),
        .facultative("UF1", "Langue vivante étrangère facultative"),
    ])

    /// BP Coiffure: E3 is an option group (U30A or U30B); Σ coef = 21.
    static let coiffure = Bareme(specialite: "COIFFURE", unites: [
        .obligatoire("U10", "Création couleur coupe coiffage", coefficient: 6),
        .obligatoire("U20", "Modification durable de la forme", coefficient: 5),
        .obligatoire("U30A", "Coiffure événementielle", coefficient: 3, option: "E3"),
        .obligatoire("U30B", "Coupe homme et entretien pilo-facial", coefficient: 3, option: "E3"),
        .obligatoire("U40", "Management et gestion d'un salon", coefficient: 3),
        .obligatoire("U50", "Expression française et ouverture sur le monde", coefficient: 3),
        .obligatoire("U60", "Langue vivante étrangère", coefficient: 1),
        .facultative("UF1", "Langue vivante étrangère facultative"),
    ])

    /// BP Arts de la cuisine (2023): Σ coef = 27.
    static let artsDeLaCuisine = Bareme(specialite: "ARTS_CUISINE", unites: [
        .obligatoire("UP1", "Conception et organisation de prestations", coefficient: 4),
        .obligatoire("UP2", "Préparations et productions", coefficient: 12),
        .obligatoire("UP3", "Gestion de l'activité", coefficient: 5),
        .obligatoire("UG4", "Expression et connaissance du monde", coefficient: 3),
        .obligatoire("UG5", "Langue vivante", coefficient: 3),
        .facultative("UF1", "Langue vivante étrangère facultative"),
    ])
}

/// A short way to write a unit's result in a table; turned into a `Resultat` by `resultat()`.
enum R: Sendable, CustomStringConvertible {
    /// This session's grade in hundredths.
    case n(String, Int)
    case abs(String), abj(String), di(String), nn(String)
    /// Dispensed.
    case disp(String)
    /// An earlier grade: unit, hundredths, session code, day obtained (`YYYY-MM-DD`).
    case ant(String, Int, String, String)

    func resultat() throws -> Resultat {
        switch self {
        case .n(let u, let c): try Resultat.note(u, c)
        case .abs(let u): Resultat.code(u, .absent)
        case .abj(let u): Resultat.code(u, .absentJustifie)
        case .di(let u): Resultat.code(u, .dispense)
        case .nn(let u): Resultat.code(u, .nonSaisie)
        case .disp(let u): Resultat.dispense(u)
        case .ant(let u, let c, let s, let d):
            try Resultat.anterieure(u, c, session: try SessionCode(s), obtenueLe: try Jour(iso: d))
        }
    }

    var description: String {
        switch self {
        case .n(let u, let c): "\(u)=\(c)"
        case .abs(let u): "\(u)=ABS"
        case .abj(let u): "\(u)=ABJ"
        case .di(let u): "\(u)=DI"
        case .nn(let u): "\(u)=NN"
        case .disp(let u): "\(u)=dispense"
        case .ant(let u, let c, let s, _): "\(u)=\(c)@\(s)"
        }
    }
}

enum Sessions {
    /// The session deliberated in most cases: June 2027, jury on 2 July 2027.
    static func juin2027() throws -> SessionDeliberee {
        SessionDeliberee(code: try SessionCode("BP-2027-06-N"), date: try Jour(2027, 7, 2))
    }

    static func juin2028() throws -> SessionDeliberee {
        SessionDeliberee(code: try SessionCode("BP-2028-06-N"), date: try Jour(2028, 7, 4))
    }
}

/// Every compulsory unit of `bareme` at the same grade, except those listed in `sauf`.
func tous(_ bareme: Bareme, _ centiemes: Int, sauf: [R] = [], option: String? = nil) -> [R] {
    let exclus = Set(sauf.map(\.unite))
    var liste: [R] = []
    for unite in bareme.unites where !unite.facultative && !exclus.contains(unite.code) {
        if let groupe = unite.groupeOption {
            let choisie = option ?? bareme.unites.first { $0.groupeOption == groupe }?.code
            guard unite.code == choisie else { continue }
        }
        liste.append(.n(unite.code, centiemes))
    }
    return liste + sauf
}

extension R {
    var unite: String {
        switch self {
        case .n(let u, _), .abs(let u), .abj(let u), .di(let u), .nn(let u), .disp(let u), .ant(let u, _, _, _): u
        }
    }
}

func deliberer(_ bareme: Bareme, _ forme: Forme, _ resultats: [R], session: SessionDeliberee? = nil) throws -> Deliberation {
    let situation = Situation(
        candidat: "TEST", forme: forme, session: try session ?? Sessions.juin2027(),
        resultats: try resultats.map { try $0.resultat() })
    return try Moteur.deliberer(situation, selon: bareme)
}
