import HTTPTypes
import Hummingbird
import ServiceKit

/// Who may open which page, in one table: the first rule whose pattern matches the request
/// decides; a page that no rule names (login, activation, account creation) is open to anyone.
/// The handlers then only ask `context.caller()`; the services check again what each person may
/// see (an établissement its UAIs, a candidate his candidatures).
enum PageRoles {
    struct Rule: Sendable {
        /// Reads only (GET, HEAD), or every method.
        var lecture: Bool
        /// Path segments; `*` is any one segment; a last `**` is any rest, itself included.
        var motif: [Substring]
        var roles: Set<Role>

        init(_ motif: String, _ roles: Set<Role>, lecture: Bool = false) {
            self.lecture = lecture
            self.motif = motif.split(separator: "/")
            self.roles = roles
        }

        func matches(_ method: HTTPRequest.Method, _ segments: [Substring]) -> Bool {
            if lecture && method != .get && method != .head { return false }
            for (index, part) in motif.enumerated() {
                if part == "**" { return true }
                guard index < segments.count, part == "*" || part == segments[index] else { return false }
            }
            return segments.count == motif.count
        }
    }

    /// Most specific first: the administrator reads sessions, règlements and centres; every
    /// other page of the gestionnaire's space is his alone.
    static let rules: [Rule] = [
        Rule("gestionnaire/reglements/import", [.gestionnaire]),
        Rule("gestionnaire/sessions", [.gestionnaire, .admin], lecture: true),
        Rule("gestionnaire/sessions/*", [.gestionnaire, .admin], lecture: true),
        Rule("gestionnaire/sessions/*/centres", [.gestionnaire, .admin], lecture: true),
        Rule("gestionnaire/etablissements/*", [.gestionnaire, .admin], lecture: true),
        Rule("gestionnaire/reglements", [.gestionnaire, .admin], lecture: true),
        Rule("gestionnaire/reglements/*", [.gestionnaire, .admin], lecture: true),
        Rule("gestionnaire/**", [.gestionnaire]),
        Rule("comptes/**", [.admin, .gestionnaire]),
        Rule("journal/**", [.admin, .gestionnaire]),
        Rule("admin/**", [.admin]),
        Rule("etablissement/**", [.etablissement]),
        Rule("correcteur/**", [.correcteur, .interrogateur]),
        Rule("jury/**", [.presidentJury]),
        Rule("deliberation/jurys", [.gestionnaire, .admin], lecture: true),
        Rule("deliberation/jurys/**", [.gestionnaire]),
        Rule("deliberation/**", [.gestionnaire, .presidentJury, .chefCentre, .admin]),
        Rule("centre-deliberation", [.chefCentre]),
        Rule("candidat/**", [.candidat]),
    ]

    /// The roles that may open `path` with `method`; nil when the page is open to anyone.
    static func roles(_ method: HTTPRequest.Method, _ path: String) -> Set<Role>? {
        let segments = path.split(separator: "/")
        return rules.first { $0.matches(method, segments) }?.roles
    }
}

/// Applies `PageRoles` before any page runs: an anonymous visitor gets a 401 (the page
/// middleware sends him to the login page), a wrong role a 403.
struct PageRolesMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let roles = PageRoles.roles(request.method, request.uri.path) {
            guard roles.contains(try context.caller().role) else { throw ServiceError.forbidden() }
        }
        return try await next(request, context)
    }
}
