import Foundation

/// An aggregate (`AggregateRoutes.gather`) as the pages show it: one row per part with its
/// state, and a notice naming what is missing.
struct AggregateView {
    struct Ligne {
        var partie: String
        var service: String
        var etat: String
        var classe: String
        var detail: String?
        var resume: [Valeur]
    }

    struct Valeur {
        var nom: String
        var valeur: String
    }

    var lignes: [Ligne]
    /// "Inscriptions (service inscription : ne répond pas)", … — empty when complete.
    var manquants: [String]
    var complet: Bool

    /// `order` names the parts in display order with their French labels.
    init(_ aggregate: AggregateRoutes.Aggregate, order: [(name: String, label: String)]) {
        lignes = order.compactMap { name, label in
            guard let part = aggregate.parties[name] else { return nil }
            let (etat, classe) = Self.state(part.etat)
            return Ligne(partie: label, service: part.service, etat: etat, classe: classe, detail: part.raison,
                         resume: part.etat == "disponible" ? Self.summary(part.donnees) : [])
        }
        // In the parts' order, not the services' names.
        manquants = order.compactMap { name, label in
            guard let part = aggregate.parties[name], part.etat == "indisponible" else { return nil }
            return "\(label) (service \(part.service) : \(part.raison ?? "indisponible"))"
        }
        complet = manquants.isEmpty
    }

    static func state(_ etat: String) -> (String, String) {
        switch etat {
        case "disponible": ("Disponible", "etat--ok")
        case "indisponible": ("Indisponible", "etat--alerte")
        case "refuse": ("Accès refusé", "etat--refus")
        case "absent": ("Rien à montrer", "etat--neutre")
        default: (etat, "etat--neutre")
        }
    }

    /// The scalar fields of an object part (at most 12), to show something of any service.
    static func summary(_ value: JSONValue?) -> [Valeur] {
        guard case .object(let fields) = value else { return [] }
        return fields.keys.sorted().compactMap { key -> Valeur? in
            guard let field = fields[key] else { return nil }
            switch field {
            case .string(let text): return Valeur(nom: key, valeur: text)
            case .number(let number):
                return Valeur(nom: key, valeur: number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number))
            case .bool(let flag): return Valeur(nom: key, valeur: flag ? "oui" : "non")
            default: return nil
            }
        }.prefix(12).map { $0 }
    }

    /// Decodes a part's data as `T` (nil when absent or of another shape).
    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue?) -> T? {
        guard let value, let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }
}
