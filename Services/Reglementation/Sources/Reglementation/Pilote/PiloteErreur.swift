import ServiceKit

/// An error of a pilot file: where (a path in the file and its line) and what.
public struct PiloteErreur: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `specialites[BOULANGER].epreuves[E4].unites[U41].coefficient (ligne 42)`.
    public var location: String
    /// Stable code, e.g. `pilote.coefficient`.
    public var code: String
    /// French message for people.
    public var message: String

    public init(location: String, code: String, message: String) {
        self.location = location
        self.code = code
        self.message = message
    }

    /// One line of the command's output: `location: message`.
    public var description: String { "\(location): \(message)" }

    var detail: ServiceError.Detail { .init(location: location, code: code, message: message) }
}
