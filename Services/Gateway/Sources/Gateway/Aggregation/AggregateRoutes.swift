import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat
import ServiceKit

/// Views that gather several services at once: each part is asked concurrently with its own
/// deadline; the answer carries what came back and names what is missing, and never waits
/// longer than the slowest deadline.
struct AggregateRoutes: Sendable {
    let directory: ServiceDirectory

    /// One service's contribution.
    struct Part: Encodable, Sendable {
        var service: String
        var etat: String          // disponible, indisponible, refuse, absent
        var donnees: JSONValue?
        var raison: String?
    }

    struct Aggregate: ResponseEncodable {
        var parties: [String: Part]
        /// The parts that could not be had, with the reason, for the page to say so.
        var manquants: [Part]
        var complet: Bool
    }

    struct Source: Sendable {
        var name: String
        var service: String
        var path: String
    }

    /// Asks every source concurrently as `identity`.
    func gather(_ sources: [Source], as identity: InternalIdentity) async -> Aggregate {
        let parts = await withTaskGroup(of: (String, Part).self) { group in
            for source in sources {
                group.addTask {
                    do {
                        let answer = try await directory.call(source.service, method: .get, path: source.path, identity: identity)
                        switch answer.status.code {
                        case 200..<300:
                            let value = try? JSONDecoder().decode(JSONValue.self, from: answer.body)
                            return (source.name, Part(service: source.service, etat: "disponible", donnees: value))
                        case 403, 401:
                            return (source.name, Part(service: source.service, etat: "refuse", raison: "accès refusé"))
                        case 404:
                            return (source.name, Part(service: source.service, etat: "absent", raison: "rien à montrer"))
                        default:
                            return (source.name, Part(service: source.service, etat: "indisponible", raison: "erreur \(answer.status.code)"))
                        }
                    } catch {
                        return (source.name, Part(service: source.service, etat: "indisponible", raison: (error as? ServiceDirectory.Failure)?.reason ?? "erreur"))
                    }
                }
            }
            var parts: [String: Part] = [:]
            for await (name, part) in group { parts[name] = part }
            return parts
        }
        let missing = parts.values.filter { $0.etat == "indisponible" }.sorted { $0.service < $1.service }
        return Aggregate(parties: parts, manquants: missing, complet: missing.isEmpty)
    }

    func add(to api: RouterGroup<ServiceRequestContext>) {
        // A session's dashboard: the state of each step, counts, grade collection progress.
        api.get("sessions/:code/tableau-de-bord") { _, context -> Aggregate in
            let caller = try context.require(.gestionnaire, .admin)
            let code = try context.parameters.require("code")
            return await gather(Self.tableauDeBord(code), as: caller)
        }
        // A candidate's whole file: candidature, affectation and convocation, grades, result,
        // documents. The candidate sees his own; the gestionnaire any.
        api.get("candidats/:id/dossier") { _, context -> Aggregate in
            let caller = try context.require(.candidat, .gestionnaire)
            let id = try context.parameters.require("id")
            if caller.role == .candidat && !caller.hasScope("candidat", id) {
                throw ServiceError.forbidden("Accès refusé : ce dossier n'est pas le vôtre.")
            }
            return await gather(Self.dossier(id), as: caller)
        }
    }

    /// The parts of a session's dashboard (also shown by the gestionnaire's web page). Only
    /// services that exist and routes they serve: `AggregateSourcesTests` asks every source of
    /// every aggregate of the real services and fails on a 404 or 5xx.
    static func tableauDeBord(_ code: String) -> [Source] {
        [
            Source(name: "session", service: "reglementation", path: "/v1/sessions/\(code)"),
            Source(name: "inscriptions", service: "inscription", path: "/v1/sessions/\(code)/statistiques"),
            Source(name: "organisation", service: "organisation", path: "/v1/sessions/\(code)/avancement"),
            Source(name: "notes", service: "evaluation", path: "/v1/sessions/\(code)/avancement"),
            Source(name: "deliberation", service: "deliberation", path: "/v1/sessions/\(code)/avancement"),
            Source(name: "publication", service: "publication", path: "/v1/sessions/\(code)/publication"),
        ]
    }

    /// The parts of a candidate's file (also shown by the candidate's web page); `id` is the
    /// candidate's identifier as his scope carries it (`candidat:<id>`).
    static func dossier(_ id: String) -> [Source] {
        [
            Source(name: "candidature", service: "inscription", path: "/v1/candidats/\(id)/candidature"),
            Source(name: "convocation", service: "organisation", path: "/v1/candidats/\(id)/convocation"),
            Source(name: "notes", service: "evaluation", path: "/v1/candidats/\(id)/notes"),
            Source(name: "resultat", service: "publication", path: "/v1/candidats/\(id)/resultat"),
            Source(name: "documents", service: "publication", path: "/v1/candidats/\(id)/documents"),
        ]
    }
}

/// Any JSON value, to pass a service's answer through an aggregate unchanged.
enum JSONValue: Codable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
