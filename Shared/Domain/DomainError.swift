/// A value that breaks a rule of the domain (a malformed UAI, a grade off the scale, ...).
///
/// `code` is stable and meant for programs (tests, API payloads, UI mapping);
/// `message` is a French sentence meant for people, naming the rejected value.
///
/// Codes in use:
/// `uai.format`, `uai.lettre_cle`, `ine.format`, `note.vide`, `note.format`, `note.decimales`,
/// `note.hors_bareme`, `note.pas`, `pas.invalide`, `session.format`, `session.annee`,
/// `session.mois`, `session.nature`.
public struct DomainError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable, machine-readable identifier, e.g. `uai.lettre_cle`.
    public let code: String
    /// French message for people, e.g. « UAI 0750655F invalide : la lettre clé attendue est E. »
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
