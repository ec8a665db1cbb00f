/// Unité administrative immatriculée (former RNE): the national identifier of an établissement.
///
/// Seven digits followed by a check letter, `"ABCDEFGHJKLMNPRSTUVWXYZ"[n mod 23]` where `n` is the
/// seven digits read as an integer (I, O and Q are never used). Example: `0750655E`.
/// Encoded in JSON as a single string; decoding validates.
public struct UAI: ValidatedString, Hashable, CustomStringConvertible {
    /// The normalised identifier: 7 digits and an uppercase letter.
    public let value: String

    /// The 23 check letters, indexed by `n mod 23`.
    static let lettresCle: [Character] = Array("ABCDEFGHJKLMNPRSTUVWXYZ")

    /// Validates `text`: surrounding white space is ignored and a lowercase check letter accepted
    /// (stored uppercase). Throws `uai.format` for a wrong length or shape, `uai.lettre_cle` for a
    /// wrong check letter.
    public init(_ text: String) throws(DomainError) {
        let saisie = text.sansBlancsAutour
        let exemple = "7 chiffres suivis d'une lettre clé sont attendus (par exemple 0750655E)"
        guard !saisie.isEmpty else {
            throw DomainError(code: "uai.format", message: "UAI vide : \(exemple).")
        }
        let caracteres = Array(saisie)
        guard caracteres.count == 8 else {
            throw DomainError(
                code: "uai.format",
                message: "UAI \(citation(saisie)) invalide : 8 caractères attendus, "
                    + "\(caracteres.count) reçus ; \(exemple).")
        }
        let chiffres = String(caracteres[0..<7])
        guard let attendue = UAI.checkLetter(for: chiffres) else {
            throw DomainError(
                code: "uai.format",
                message: "UAI \(citation(saisie)) invalide : les 7 premiers caractères doivent être "
                    + "des chiffres ; \(exemple).")
        }
        let lettre = Character(String(caracteres[7]).majusculesASCII)
        guard lettre.estMajusculeASCII else {
            throw DomainError(
                code: "uai.format",
                message: "UAI \(citation(saisie)) invalide : le 8e caractère doit être une lettre "
                    + "(la lettre clé attendue est \(attendue)).")
        }
        guard lettre == attendue else {
            throw DomainError(
                code: "uai.lettre_cle",
                message: "UAI \(chiffres)\(lettre) invalide : la lettre clé attendue est \(attendue).")
        }
        value = chiffres + String(lettre)
    }

    /// The check letter for exactly seven ASCII digits, nil for anything else.
    public static func checkLetter(for digits: String) -> Character? {
        var n = 0
        var compte = 0
        for c in digits {
            guard let chiffre = c.chiffreASCII, compte < 7 else { return nil }
            n = n * 10 + chiffre
            compte += 1
        }
        guard compte == 7 else { return nil }
        return lettresCle[n % 23]
    }

    public var description: String { value }
}
