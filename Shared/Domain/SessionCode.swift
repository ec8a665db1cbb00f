/// The code of a BP exam session of the académie: `BP-YYYY-MM-K`, with the year 2000...2099, the
/// month 01...12 and the nature `N` (normale), `R` (remplacement) or `V` (VAE).
/// Examples: `BP-2027-06-N`, `BP-2027-09-R`. Encoded in JSON as that string; decoding validates.
public struct SessionCode: ValidatedString, Hashable, CustomStringConvertible {
    /// The kind of session.
    public enum Nature: String, Sendable, Hashable, Codable, CaseIterable {
        case normale
        case remplacement
        case vae

        /// The letter used in the code: N, R or V.
        public var lettre: Character {
            switch self {
            case .normale: "N"
            case .remplacement: "R"
            case .vae: "V"
            }
        }

        /// French label: "session normale", "session de remplacement", "session VAE".
        public var libelle: String {
            switch self {
            case .normale: "session normale"
            case .remplacement: "session de remplacement"
            case .vae: "session VAE"
            }
        }

        /// The nature for a code letter (uppercase), nil for any other.
        public init?(lettre: Character) {
            guard let nature = Nature.allCases.first(where: { $0.lettre == lettre }) else { return nil }
            self = nature
        }
    }

    public let annee: Int
    public let mois: Int
    public let nature: Nature

    /// Throws `session.annee` outside 2000...2099 and `session.mois` outside 1...12.
    public init(annee: Int, mois: Int, nature: Nature) throws(DomainError) {
        try SessionCode.verifier(annee: annee, mois: mois, saisie: nil)
        self.annee = annee
        self.mois = mois
        self.nature = nature
    }

    /// Reads `BP-YYYY-MM-K`; surrounding white space is ignored and lowercase accepted.
    /// Errors: `session.format` (not four parts `BP`, 4 digits, 2 digits, letter, separated by
    /// `-`), `session.annee`, `session.mois`, `session.nature` (a last part other than N, R, V).
    public init(_ text: String) throws(DomainError) {
        let saisie = text.sansBlancsAutour
        let attendu = "le format attendu est BP-AAAA-MM-N (année, mois, puis N pour normale, "
            + "R pour remplacement ou V pour VAE), par exemple BP-2027-06-N"
        let parties = saisie.majusculesASCII.split(separator: "-", omittingEmptySubsequences: false)
        func estNombre(_ s: Substring, chiffres: Int) -> Bool {
            s.count == chiffres && s.allSatisfy { $0.chiffreASCII != nil }
        }
        guard parties.count == 4, parties[0] == "BP",
              estNombre(parties[1], chiffres: 4), estNombre(parties[2], chiffres: 2),
              !parties[3].isEmpty,
              let annee = Int(parties[1]), let mois = Int(parties[2])
        else {
            let debut = saisie.isEmpty ? "Code de session vide" : "Code de session \(citation(saisie)) invalide"
            throw DomainError(code: "session.format", message: "\(debut) : \(attendu).")
        }
        try SessionCode.verifier(annee: annee, mois: mois, saisie: saisie)
        guard parties[3].count == 1, let lettre = parties[3].first,
              let nature = Nature(lettre: lettre)
        else {
            throw DomainError(
                code: "session.nature",
                message: "Code de session \(citation(saisie)) invalide : nature \(citation(String(parties[3]))) "
                    + "inconnue ; N (normale), R (remplacement) ou V (VAE) attendu.")
        }
        self.annee = annee
        self.mois = mois
        self.nature = nature
    }

    private static func verifier(annee: Int, mois: Int, saisie: String?) throws(DomainError) {
        let debut = saisie.map { "Code de session \(citation($0)) invalide" } ?? "Session invalide"
        guard (2000...2099).contains(annee) else {
            throw DomainError(
                code: "session.annee",
                message: "\(debut) : l'année \(annee) doit être comprise entre 2000 et 2099.")
        }
        guard (1...12).contains(mois) else {
            throw DomainError(
                code: "session.mois",
                message: "\(debut) : le mois \(mois) doit être compris entre 01 et 12.")
        }
    }

    /// The code: "BP-2027-06-N".
    public var value: String {
        "BP-\(annee)-\(mois < 10 ? "0" : "")\(mois)-\(nature.lettre)"
    }

    /// French label: "BP, session normale de juin 2027".
    public var libelle: String {
        let noms = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                    "septembre", "octobre", "novembre", "décembre"]
        let nom = noms[mois - 1]
        let de = nom.first.map { "aeiou".contains($0) } == true ? "d'" : "de "
        return "BP, \(nature.libelle) \(de)\(nom) \(annee)"
    }

    public var description: String { value }
}
