import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import ServiceKit

/// Renders the French pages: every page inherits the one `layout` (header, navigation by role,
/// the user's name and the logout form, `<main>`, footer) and gets the CSRF token of its forms.
struct WebRenderer: Sendable {
    let library: MustacheLibrary
    let accounts: AccountRepository
    let secureCookies: Bool

    /// Loads every `*.mustache` of the bundle's `Templates` folder, named by its file name.
    static func loadLibrary(from directory: URL = GatewayService.resource("Templates")) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            try library.register(text, named: file.deletingPathExtension().lastPathComponent)
        }
        return library
    }

    /// What the layout shows around every page.
    struct Cadre {
        var titre: String
        var utilisateur: Utilisateur?
        var navigation: [Lien]
        var accueil: String
        var csrf: String
    }

    struct Utilisateur {
        var nom: String
        var role: String
    }

    struct Lien {
        var libelle: String
        var href: String
        var courant: Bool
    }

    /// The object a template renders: the frame and the page's own data.
    struct Vue {
        var cadre: Cadre
        var page: Any
    }

    /// Renders `template` with `page` inside the layout.
    func render(
        _ template: String, titre: String, page: Any = [String: String](), request: Request,
        context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async -> Response {
        let (csrf, isNew) = CSRF.token(of: request)
        let cadre = Cadre(
            titre: titre, utilisateur: await utilisateur(context.identity),
            navigation: Self.navigation(for: context.identity?.role, path: request.uri.path),
            accueil: context.identity.map { Self.home(of: $0.role) } ?? "/connexion", csrf: csrf)
        let html = library.render(Vue(cadre: cadre, page: page), withTemplate: template)
            ?? "<!doctype html><html lang=\"fr\"><title>Erreur</title><p>Page introuvable : \(template).</p></html>"
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        if isNew { response.setCookie(CSRF.cookie(csrf, secure: secureCookies)) }
        return response
    }

    /// A 303 to `location` (after a POST, or to send someone where he belongs).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    private func utilisateur(_ identity: InternalIdentity?) async -> Utilisateur? {
        guard let identity else { return nil }
        var nom = identity.subject
        if let id = UUID(uuidString: identity.subject), let account = try? await accounts.find(id: id) {
            nom = account.displayName
        }
        return Utilisateur(nom: nom, role: Self.libelle(of: identity.role))
    }

    // MARK: Roles

    /// Where each role lands after logging in.
    static func home(of role: Role) -> String {
        switch role {
        case .gestionnaire: "/gestionnaire"
        case .admin: "/admin"
        case .etablissement: "/etablissement"
        case .correcteur, .interrogateur: "/correcteur"
        case .presidentJury: "/jury"
        case .chefCentre: "/centre-deliberation"
        case .candidat: "/candidat"
        case .service: "/connexion"
        }
    }

    static func libelle(of role: Role) -> String {
        switch role {
        case .gestionnaire: "Gestionnaire"
        case .admin: "Administrateur"
        case .etablissement: "Établissement"
        case .correcteur: "Correcteur"
        case .interrogateur: "Interrogateur"
        case .presidentJury: "Président de jury"
        case .chefCentre: "Chef de centre de délibération"
        case .candidat: "Candidat"
        case .service: "Service"
        }
    }

    /// The menu of a role; the entry of the current page is marked.
    static func navigation(for role: Role?, path: String) -> [Lien] {
        let base: [(String, String)] = switch role {
        case .gestionnaire:
            [("Tableau de bord", "/gestionnaire"), ("Sessions", "/gestionnaire/sessions"),
             ("Règlements", "/gestionnaire/reglements"), ("Délibérations", "/deliberation/jurys"),
             ("Simulation de délibération", "/deliberation/simulation"), ("Publication", "/gestionnaire/publication"),
             ("Comptes", "/comptes"), ("Journal d'accès", "/journal")]
        case .admin: [("Comptes", "/comptes"), ("Journal d'accès", "/journal")]
        case .etablissement:
            [("Accueil", "/etablissement"), ("Candidatures", "/etablissement/inscription"), ("Papillons", "/etablissement/papillons"),
             ("Résultats et documents", "/etablissement/resultats")]
        case .correcteur, .interrogateur: [("Mes lots", "/correcteur")]
        case .presidentJury: [("Mes jurys", "/jury"), ("Simulation de délibération", "/deliberation/simulation")]
        case .chefCentre: [("Jurys de mon centre", "/centre-deliberation"), ("Simulation de délibération", "/deliberation/simulation")]
        case .candidat: [("Mon dossier", "/candidat"), ("M'inscrire", "/candidat/inscription")]
        case .service, nil: []
        }
        let entries = base + OrganisationPages.menu(for: role)
        // The longest entry that is the path or one of its parents is the current one.
        let current = entries.map(\.1)
            .filter { path == $0 || path.hasPrefix($0 + "/") }
            .max { $0.count < $1.count }
        return entries.map { Lien(libelle: $0.0, href: $0.1, courant: $0.1 == current) }
    }
}

// MARK: Display helpers

enum Affichage {
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes a query value (everything but unreserved characters).
    static func requete(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
