import Domain

/// The data of a spécialité's règlement the rules of award read: its units, their coefficients,
/// which are facultative and which form an option group. A new spécialité is new data, never
/// new code. The Délibération service builds it from `reglementation.publiee` (one
/// `UniteDuBareme` per `Unite` of every `Epreuve`, `groupeOption` = the épreuve's code when
/// `auChoix`); the simulation route from what the gestionnaire types or picks.
public struct Bareme: Sendable, Codable, Equatable {
    /// The spécialité's code, e.g. `BOULANGER`.
    public var specialite: String
    /// Units in the règlement's order (the order of the relevé de notes).
    public var unites: [UniteDuBareme]

    public init(specialite: String, unites: [UniteDuBareme]) {
        self.specialite = specialite
        self.unites = unites
    }

    /// Bounds that keep every computation far from `Int` overflow and reject nonsense.
    public static let maximumUnites = 40
    public static let maximumCoefficient = 100
    public static let maximumFacultatives = 3
}

/// One unit of the règlement.
public struct UniteDuBareme: Sendable, Codable, Equatable {
    /// `U10`, `U41`, `UP1`…: unique within the barème.
    public var code: String
    public var libelle: String
    /// 1...100 for a compulsory unit; nil for a facultative one (only points above 10 count).
    public var coefficient: Int?
    public var facultative: Bool
    /// The option group (the épreuve's code, e.g. `E3`) when the candidate takes exactly one of
    /// its units, chosen at registration; nil otherwise.
    public var groupeOption: String?

    public init(code: String, libelle: String, coefficient: Int?, facultative: Bool = false, groupeOption: String? = nil) {
        self.code = code
        self.libelle = libelle
        self.coefficient = coefficient
        self.facultative = facultative
        self.groupeOption = groupeOption
    }

    /// A compulsory unit.
    public static func obligatoire(_ code: String, _ libelle: String, coefficient: Int, option: String? = nil) -> UniteDuBareme {
        UniteDuBareme(code: code, libelle: libelle, coefficient: coefficient, groupeOption: option)
    }

    /// A facultative unit.
    public static func facultative(_ code: String, _ libelle: String) -> UniteDuBareme {
        UniteDuBareme(code: code, libelle: libelle, coefficient: nil, facultative: true)
    }
}

extension Bareme {
    /// Checks the barème's own consistency; throws a French message naming the fault.
    func verifier() throws(DomainError) {
        guard !specialite.isEmpty, specialite.count <= 60 else {
            throw ErreurDeliberation.bareme("Barème invalide : le code de la spécialité est vide ou trop long.")
        }
        guard (1...Bareme.maximumUnites).contains(unites.count) else {
            throw ErreurDeliberation.bareme(
                "Barème \(specialite) invalide : \(unites.count) unités ; entre 1 et \(Bareme.maximumUnites) attendues.")
        }
        var vus = Set<String>()
        for unite in unites {
            guard !unite.code.isEmpty, unite.code.count <= 20 else {
                throw ErreurDeliberation.bareme("Barème \(specialite) invalide : un code d'unité est vide ou trop long.")
            }
            guard vus.insert(unite.code).inserted else {
                throw ErreurDeliberation.bareme("Barème \(specialite) invalide : l'unité \(unite.code) y figure deux fois.")
            }
            if unite.facultative {
                guard unite.coefficient == nil else {
                    throw ErreurDeliberation.coefficient(
                        "Unité facultative \(unite.code) : elle n'a pas de coefficient, seuls les points au-dessus de 10 comptent.")
                }
                guard unite.groupeOption == nil else {
                    throw ErreurDeliberation.bareme(
                        "Barème \(specialite) invalide : l'unité facultative \(unite.code) ne peut pas appartenir à un groupe d'options.")
                }
            } else {
                guard let coefficient = unite.coefficient else {
                    throw ErreurDeliberation.coefficient(
                        "Unité \(unite.code) : coefficient manquant ; une unité obligatoire a un coefficient entier entre 1 et \(Bareme.maximumCoefficient).")
                }
                guard (1...Bareme.maximumCoefficient).contains(coefficient) else {
                    throw ErreurDeliberation.coefficient(
                        "Unité \(unite.code) : coefficient \(coefficient) invalide ; un entier entre 1 et \(Bareme.maximumCoefficient) est attendu.")
                }
            }
        }
        let facultatives = unites.filter(\.facultative).count
        guard facultatives <= Bareme.maximumFacultatives else {
            throw ErreurDeliberation.bareme(
                "Barème \(specialite) invalide : \(facultatives) unités facultatives ; au plus \(Bareme.maximumFacultatives).")
        }
        guard unites.contains(where: { !$0.facultative }) else {
            throw ErreurDeliberation.bareme("Barème \(specialite) invalide : aucune unité obligatoire.")
        }
    }
}
