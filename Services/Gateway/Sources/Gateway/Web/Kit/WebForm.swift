import Foundation
import Hummingbird
import ServiceKit

/// The fields of a submitted form (`application/x-www-form-urlencoded`), read only after its
/// CSRF token was checked.
struct WebForm: Sendable {
    private(set) var values: [String: String]
    /// Every value of each name, in order (checkboxes sharing a name).
    private(set) var multiples: [String: [String]] = [:]

    static let maximumSize = 256 * 1024

    /// Reads the body of `request`; throws `WebRefusal.csrf` unless its `_csrf` field matches
    /// the `cyclades_csrf` cookie.
    static func read(_ request: Request) async throws -> WebForm {
        let body = try await request.body.collect(upTo: maximumSize)
        let form = WebForm(encoded: String(buffer: body))
        guard CSRF.verify(cookie: request.cookies[CSRF.cookieName]?.value, field: form.values[CSRF.field]) else {
            throw WebRefusal.csrf
        }
        return form
    }

    init(encoded: String) {
        var values: [String: String] = [:]
        var multiples: [String: [String]] = [:]
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            multiples[name, default: []].append(value)
            guard values[name] == nil else { continue }  // the first value of a repeated name
            values[name] = value
        }
        self.values = values
        self.multiples = multiples
    }

    init(values: [String: String], multiples: [String: [String]]) {
        self.values = values
        self.multiples = multiples
    }

    /// Every non-empty value of a repeated name (checkboxes), surrounding white space removed.
    func all(_ name: String) -> [String] {
        (multiples[name] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The field's value, surrounding white space removed ("" when absent).
    subscript(_ name: String) -> String {
        (values[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The field's value exactly as typed (passwords).
    func raw(_ name: String) -> String { values[name] ?? "" }
}

/// A labelled field as the `champ` partial shows it: its error next to it, `aria-invalid` and
/// `aria-describedby` pointing at its help and error.
struct Champ: Sendable {
    var id: String
    var nom: String
    var libelle: String
    var type: String
    var valeur: String
    var aide: String?
    var autocomplete: String?
    var requis: Bool
    var erreur: String? { didSet { decrit = Self.described(id: id, aide: aide, erreur: erreur) } }
    /// The ids of the help and error, for `aria-describedby`.
    private(set) var decrit: String?

    init(
        _ nom: String, _ libelle: String, type: String = "text", valeur: String = "", aide: String? = nil,
        autocomplete: String? = nil, requis: Bool = true, erreur: String? = nil
    ) {
        id = "champ-\(nom)"
        self.nom = nom
        self.libelle = libelle
        self.type = type
        self.valeur = valeur
        self.aide = aide
        self.autocomplete = autocomplete
        self.requis = requis
        self.erreur = erreur
        decrit = Self.described(id: id, aide: aide, erreur: erreur)
    }

    private static func described(id: String, aide: String?, erreur: String?) -> String? {
        let ids = [aide.map { _ in "\(id)-aide" }, erreur.map { _ in "\(id)-erreur" }].compactMap { $0 }
        return ids.isEmpty ? nil : ids.joined(separator: " ")
    }
}

/// A form's fields by name, its general error and the summary of its errors (links to the
/// fields, at the top of the form).
struct Formulaire: Sendable {
    var champs: [String: Champ]
    var erreurGenerale: String?
    var resume: [ErreurResumee] { ordre.compactMap { nom in champs[nom].flatMap { champ in champ.erreur.map { ErreurResumee(id: champ.id, message: $0) } } } }
    private let ordre: [String]

    struct ErreurResumee: Sendable {
        var id: String
        var message: String
    }

    init(_ champs: [Champ]) {
        ordre = champs.map(\.nom)
        self.champs = Dictionary(champs.map { ($0.nom, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var hasErrors: Bool { erreurGenerale != nil || champs.values.contains { $0.erreur != nil } }

    /// Puts `message` next to the field `nom` (the first message of a field is kept).
    mutating func erreur(_ nom: String, _ message: String) {
        guard champs[nom] != nil else {
            erreurGenerale = erreurGenerale ?? message
            return
        }
        if champs[nom]?.erreur == nil { champs[nom]?.erreur = message }
    }

    /// Spreads a service error over the fields its details name; the rest is the general error.
    mutating func apply(_ error: ServiceError, fieldOf: (String) -> String? = { $0 }) {
        var placed = false
        for detail in error.details {
            if let nom = fieldOf(detail.location), champs[nom] != nil {
                erreur(nom, detail.message)
                placed = true
            }
        }
        if !placed { erreurGenerale = error.message }
    }

    /// What the template receives (computed values included: Mustache sees stored ones only).
    var vue: Vue {
        let resume = resume
        return Vue(champs: champs, erreurGenerale: erreurGenerale, resume: resume, aResume: !resume.isEmpty, aDesErreurs: hasErrors)
    }

    struct Vue {
        var champs: [String: Champ]
        var erreurGenerale: String?
        var resume: [ErreurResumee]
        var aResume: Bool
        var aDesErreurs: Bool
    }
}
