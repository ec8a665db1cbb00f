import Domain

/// The refusals of the engine: a `DomainError` with a stable `deliberation.*` code and a French
/// message naming the faulty value. The engine never traps on an input.
///
/// Codes: `deliberation.date`, `deliberation.bareme`, `deliberation.coefficient`,
/// `deliberation.unite_inconnue`, `deliberation.facultatives`, `deliberation.option`,
/// `deliberation.resultat`, `deliberation.note`, `deliberation.aucune_unite_notee`.
enum ErreurDeliberation {
    static func date(_ message: String) -> DomainError {
        DomainError(code: "deliberation.date", message: message)
    }

    static func bareme(_ message: String) -> DomainError {
        DomainError(code: "deliberation.bareme", message: message)
    }

    static func coefficient(_ message: String) -> DomainError {
        DomainError(code: "deliberation.coefficient", message: message)
    }

    static func uniteInconnue(_ code: String, specialite: String) -> DomainError {
        DomainError(
            code: "deliberation.unite_inconnue",
            message: "Unité « \(code.prefix(40)) » inconnue : le règlement de la spécialité \(specialite) ne la comporte pas.")
    }

    static func facultatives(_ codes: [String]) -> DomainError {
        DomainError(
            code: "deliberation.facultatives",
            message: "Deux épreuves facultatives présentées (\(codes.joined(separator: ", "))) : "
                + "un candidat en choisit au plus une.")
    }

    static func option(_ message: String) -> DomainError {
        DomainError(code: "deliberation.option", message: message)
    }

    static func resultat(_ message: String) -> DomainError {
        DomainError(code: "deliberation.resultat", message: message)
    }

    static func note(_ message: String) -> DomainError {
        DomainError(code: "deliberation.note", message: message)
    }

    static func aucuneUniteNotee() -> DomainError {
        DomainError(
            code: "deliberation.aucune_unite_notee",
            message: "Aucune unité obligatoire n'entre dans la moyenne (toutes dispensées ou neutralisées) : "
                + "le candidat ne peut pas être délibéré.")
    }
}
