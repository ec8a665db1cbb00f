import Domain

/// Collects every refused field of a request, so that one answer names them all (`details`).
public struct Verification: Sendable {
    public init() {}
    public private(set) var details: [ServiceError.Detail] = []

    public var estValide: Bool { details.isEmpty }

    public mutating func erreur(_ location: String, _ code: String, _ message: String) {
        details.append(.init(location: location, code: code, message: message))
    }

    public mutating func erreur(_ location: String, _ error: DomainError) {
        erreur(location, error.code, error.message)
    }

    /// The parsed value, or nil after recording its error under `location`.
    public mutating func champ<T>(_ location: String, _ parse: () throws(DomainError) -> T) -> T? {
        do {
            return try parse()
        } catch {
            erreur(location, error)
            return nil
        }
    }

    /// 422 with every detail; one error gives its own code and message.
    public func verifier() throws(ServiceError) {
        guard let premier = details.first else { return }
        if details.count == 1 {
            throw ServiceError.invalid(premier.code, premier.message, details: details)
        }
        throw ServiceError.invalid(
            "requete.invalide", "La requête comporte \(details.count) erreurs : voir le détail de chaque champ.",
            details: details)
    }
}
