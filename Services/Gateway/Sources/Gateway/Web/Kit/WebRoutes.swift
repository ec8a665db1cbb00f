import Hummingbird
import ServiceKit

/// The French web pages for people: server-rendered (Mustache, one layout), usable without
/// JavaScript, every form protected by a CSRF token, every page with security headers. Who may
/// open which page is one table (`PageRoles`); the pages reach the services through one client
/// (`ServiceClient`).
///
/// | page | who |
/// |---|---|
/// | `/` | anyone: to the login page, or to the role's home |
/// | `/connexion`, `/deconnexion` (POST) | anyone |
/// | `/activation`, `/reinitialisation`, `/activation-papillon`, `/mot-de-passe-oublie`, `/creer-compte` | anyone |
/// | `/gestionnaire`, `/gestionnaire/sessions`, `/gestionnaire/sessions/{code}` | gestionnaire (sessions: and admin) |
/// | `/gestionnaire/reglements…`, `/gestionnaire/sessions/{code}/centres`, step buttons (`ReglementationPages`) | gestionnaire (reads: and admin) |
/// | `/comptes`, `/journal` | gestionnaire, admin |
/// | `/admin`, `/etablissement`, `/etablissement/papillons`, `/correcteur`, `/jury`, `/candidat` | their role |
/// | `/deliberation/simulation` (`DeliberationPages`) | gestionnaire, président de jury, admin |
/// | `/deliberation/jurys…`, `/deliberation/seance…`, `/deliberation/pv` (`JuryPages`) | gestionnaire (juries), président (his sittings), admin (reads) |
/// | `/gestionnaire/publication…` (`PublicationPages`) | gestionnaire |
/// | `/etablissement/resultats…` (`EtablissementResultatsPages`) | établissement |
/// | `/resultats…` (`ResultatsPublicsRoutes`, outside these middlewares) | anyone |
/// | `/etablissement/inscription…`, `/candidat/inscription…`, `/{espace}/candidatures/{id}…`, `/gestionnaire/sessions/{code}/candidatures…` (`InscriptionPages`) | établissement, candidat, gestionnaire |
struct WebRoutes: Sendable {
    let components: GatewayComponents

    func add(to router: Router<ServiceRequestContext>) throws {
        let identity = components.identity
        let secure = components.configuration.publicURL.hasPrefix("https")
        let renderer = WebRenderer(library: try WebRenderer.loadLibrary(), accounts: identity.accounts, secureCookies: secure)
        let web = router.group()
            .add(middleware: WebPageMiddleware(renderer: renderer, audit: identity.audit))
            .add(middleware: PageRolesMiddleware())

        web.get("/") { _, context -> Response in
            guard let caller = context.identity, caller.role != .service else { return WebRenderer.redirect("/connexion") }
            return WebRenderer.redirect(WebRenderer.home(of: caller.role))
        }
        AuthPages(identity: identity, renderer: renderer, auth: AuthRoutes(identity: identity, secureCookies: secure)).add(to: web)
        GestionnairePages(directory: components.directory, renderer: renderer).add(to: web)
        ReglementationPages(directory: components.directory, renderer: renderer).add(to: web)
        AccountPages(identity: identity, renderer: renderer).add(to: web)
        RolePages(identity: identity, directory: components.directory, renderer: renderer).add(to: web)
        CreationComptePages(identity: identity, renderer: renderer).add(to: web)
        InscriptionPages(directory: components.directory, renderer: renderer, identity: identity).add(to: web)
        OrganisationPages(directory: components.directory, renderer: renderer).add(to: web)
        EvaluationPages(directory: components.directory, renderer: renderer).add(to: web)
        DeliberationPages(directory: components.directory, renderer: renderer).add(to: web)
        JuryPages(directory: components.directory, renderer: renderer).add(to: web)
        PublicationPages(directory: components.directory, renderer: renderer).add(to: web)
        EtablissementResultatsPages(directory: components.directory, renderer: renderer).add(to: web)
    }
}
