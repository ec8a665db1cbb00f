/// Identifiant national élève (optional for Grand Public candidates): 11 characters in one of
/// three shapes, see `Forme`. Only the shape is checked: the check-character algorithm is not
/// public. Encoded in JSON as a single string; decoding validates.
public struct INE: ValidatedString, Hashable, CustomStringConvertible {
    /// The shape of an INE.
    public enum Forme: String, Sendable, Hashable, Codable, CaseIterable {
        /// 9 digits + 2 letters, e.g. `123456789AB`.
        case actuelle
        /// 10 digits + 1 letter, e.g. `1234567890A`.
        case ancienne
        /// 4 digits + `A` + 5 digits + 1 letter (apprentices), e.g. `1234A56789B`.
        case apprenti

        public var libelle: String {
            switch self {
            case .actuelle: "9 chiffres et 2 lettres"
            case .ancienne: "10 chiffres et 1 lettre"
            case .apprenti: "4 chiffres, la lettre A, 5 chiffres et 1 lettre (apprenti)"
            }
        }
    }

    /// The normalised identifier: 11 characters, letters uppercase.
    public let value: String
    /// Which of the three accepted shapes it has.
    public let forme: Forme

    /// Validates `text`: surrounding white space is ignored, letters are uppercased.
    /// Throws `ine.format` for anything that is not one of the three shapes.
    public init(_ text: String) throws(DomainError) {
        let saisie = text.sansBlancsAutour
        let formes = "11 caractères sont attendus : 9 chiffres et 2 lettres, 10 chiffres et 1 lettre, "
            + "ou 4 chiffres, la lettre A, 5 chiffres et 1 lettre (apprenti)"
        guard !saisie.isEmpty else {
            throw DomainError(code: "ine.format", message: "INE vide : \(formes).")
        }
        let normalise = saisie.majusculesASCII
        let c = Array(normalise)
        guard c.count == 11 else {
            throw DomainError(
                code: "ine.format",
                message: "INE \(citation(saisie)) invalide : \(c.count) caractères reçus ; \(formes).")
        }
        func chiffres(_ r: Range<Int>) -> Bool { c[r].allSatisfy { $0.chiffreASCII != nil } }
        func lettres(_ r: Range<Int>) -> Bool { c[r].allSatisfy(\.estMajusculeASCII) }

        if chiffres(0..<9) && lettres(9..<11) {
            forme = .actuelle
        } else if chiffres(0..<10) && lettres(10..<11) {
            forme = .ancienne
        } else if chiffres(0..<4) && c[4] == "A" && chiffres(5..<10) && lettres(10..<11) {
            forme = .apprenti
        } else {
            throw DomainError(
                code: "ine.format", message: "INE \(citation(saisie)) invalide : \(formes).")
        }
        value = normalise
    }

    public var description: String { value }
}
