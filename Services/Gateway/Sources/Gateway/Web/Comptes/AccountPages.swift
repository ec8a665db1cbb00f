import Domain
import Foundation
import Hummingbird
import ServiceKit

/// Habilitations for the gestionnaire and the admin: the accounts (filters, paging, creation,
/// deactivation, a new link) and the access audit.
struct AccountPages: Sendable {
    let identity: IdentityService
    let renderer: WebRenderer

    static let pageSize = 25

    struct Option {
        var valeur: String
        var libelle: String
        var choisi: Bool
    }

    struct LigneCompte {
        var id: String
        var identifiant: String
        var nom: String
        var courriel: String?
        var role: String
        var habilitations: String
        var etat: String
        var classe: String
        var creeLe: String
        var peutDesactiver: Bool
        var peutEnvoyerLien: Bool
    }

    struct ComptesPage {
        var comptes: [LigneCompte]
        var total: Int
        var recherche: String
        var roles: [Option]
        var etats: [Option]
        var pagination: Pagination
        var notice: String?
        var formulaire: Formulaire.Vue
        var rolesCreables: [Option]
    }

    struct LigneJournal {
        var le: String
        var acteur: String
        var role: String
        var adresse: String
        var action: String
        var cible: String
        var resultat: String
        var classe: String
        var detail: String
    }

    struct JournalPage {
        var lignes: [LigneJournal]
        var acteur: String
        var action: String
        var pagination: Pagination
    }

    static let notices = [
        "cree": "Le compte a été créé ; il reste en attente d'activation.",
        "cree-lien": "Le compte a été créé ; un lien d'activation a été envoyé à son adresse électronique.",
        "desactive": "Le compte a été désactivé et ses connexions fermées.",
        "lien": "Un nouveau lien a été envoyé à l'adresse électronique du compte.",
    ]

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("comptes") { request, context -> Response in
            let caller = try context.caller()
            let notice = request.uri.queryParameters.get("fait").flatMap { Self.notices[$0] }
            return try await comptes(Self.creationForm(), notice: notice, as: caller, request: request, context: context)
        }
        web.post("comptes") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            var formulaire = Self.creationForm(form)
            let role = Role(rawValue: form["role"])
            if role == nil { formulaire.erreur("role", "Choisissez le rôle du compte.") }
            if let role, !formulaire.hasErrors {
                let scopes = form["habilitations"].split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
                let email = form["courriel"]
                do {
                    _ = try await identity.create(
                        .init(identifiant: form["identifiant"], nom: form["nom"], courriel: email.isEmpty ? nil : email,
                              role: role, habilitations: scopes),
                        by: caller, address: context.remoteAddress)
                    return WebRenderer.redirect(email.isEmpty ? "/comptes?fait=cree" : "/comptes?fait=cree-lien")
                } catch let error as ServiceError where error.status == .forbidden {
                    formulaire.erreur("role", error.message)
                } catch let error as ServiceError where error.code == "compte.existe" {
                    formulaire.erreur("identifiant", error.message)
                } catch let error as ServiceError where error.status == .unprocessableContent {
                    formulaire.apply(error)
                }
            }
            return try await comptes(formulaire, as: caller, request: request, context: context, status: .unprocessableContent)
        }
        web.post("comptes/:id/desactivation") { request, context -> Response in
            let caller = try context.caller()
            _ = try await WebForm.read(request)
            guard let id = context.parameters.get("id", as: UUID.self) else { throw ServiceError.notFound("Compte introuvable.") }
            try await identity.disable(id, by: caller, address: context.remoteAddress)
            return WebRenderer.redirect("/comptes?fait=desactive")
        }
        web.post("comptes/:id/lien") { request, context -> Response in
            let caller = try context.caller()
            _ = try await WebForm.read(request)
            guard let id = context.parameters.get("id", as: UUID.self) else { throw ServiceError.notFound("Compte introuvable.") }
            try await identity.sendReset(id, by: caller, address: context.remoteAddress)
            return WebRenderer.redirect("/comptes?fait=lien")
        }
        web.get("journal") { request, context -> Response in
            let query = request.uri.queryParameters
            let acteur = (query.get("acteur") ?? "").trimmingCharacters(in: .whitespaces)
            let action = (query.get("action") ?? "").trimmingCharacters(in: .whitespaces)
            let page = Pagination.numero(request)
            let taille = 50
            let entries = try await identity.audit.list(
                actor: acteur.isEmpty ? nil : acteur, action: action.isEmpty ? nil : action, limit: taille + 1,
                offset: (page - 1) * taille)
            let base = "/journal?acteur=\(Affichage.requete(acteur))&action=\(Affichage.requete(action))&"
            let journal = JournalPage(
                lignes: entries.prefix(taille).map(Self.row), acteur: acteur, action: action,
                pagination: Pagination(page: page, taille: taille, total: nil, hasMore: entries.count > taille, base: base))
            return await renderer.render("journal", titre: "Journal d'accès", page: journal, request: request, context: context)
        }
    }

    private func comptes(
        _ formulaire: Formulaire, notice: String? = nil, as caller: InternalIdentity, request: Request,
        context: ServiceRequestContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let query = request.uri.queryParameters
        let role = query.get("role").flatMap(Role.init(rawValue:))
        let state = query.get("etat").flatMap(Account.State.init(rawValue:))
        let search = (query.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let page = Pagination.numero(request)
        let result = try await identity.accounts.list(
            role: role, state: state, scope: nil, search: search.isEmpty ? nil : search,
            limit: Self.pageSize, offset: (page - 1) * Self.pageSize)
        let base = "/comptes?role=\(role?.rawValue ?? "")&etat=\(state?.rawValue ?? "")&q=\(Affichage.requete(search))&"
        let chosenRole = formulaire.champs["role"]?.valeur ?? ""
        let page_ = ComptesPage(
            comptes: result.accounts.map { row($0, caller: caller) }, total: result.total, recherche: search,
            roles: Role.allCases.filter { $0 != .service }.map {
                Option(valeur: $0.rawValue, libelle: WebRenderer.libelle(of: $0), choisi: $0 == role)
            },
            etats: Account.State.allCases.map { Option(valeur: $0.rawValue, libelle: Self.label(of: $0), choisi: $0 == state) },
            pagination: Pagination(page: page, taille: Self.pageSize, total: result.total, base: base),
            notice: notice, formulaire: formulaire.vue,
            rolesCreables: Self.creatableRoles(by: caller.role).map {
                Option(valeur: $0.rawValue, libelle: WebRenderer.libelle(of: $0), choisi: $0.rawValue == chosenRole)
            })
        let title = formulaire.hasErrors ? "Erreur : comptes" : "Comptes"
        return await renderer.render("comptes", titre: title, page: page_, request: request, context: context, status: status)
    }

    private func row(_ account: Account, caller: InternalIdentity) -> LigneCompte {
        let manageable = caller.role == .admin || ![.admin, .gestionnaire].contains(account.role)
        let (etat, classe) = (Self.label(of: account.state), Self.stateClass(account.state))
        return LigneCompte(
            id: account.id.uuidString.lowercased(), identifiant: account.login, nom: account.displayName,
            courriel: account.email, role: WebRenderer.libelle(of: account.role),
            habilitations: account.scopes.joined(separator: ", "), etat: etat, classe: classe,
            creeLe: DateFrancaise.instant(account.createdAt),
            peutDesactiver: manageable && account.state != .desactive,
            peutEnvoyerLien: manageable && account.state != .desactive && account.email != nil)
    }

    static func creatableRoles(by role: Role) -> [Role] {
        role == .admin
            ? Role.allCases.filter { $0 != .service }
            : Role.allCases.filter { ![.admin, .gestionnaire, .service].contains($0) }
    }

    static func label(of state: Account.State) -> String {
        switch state {
        case .enAttente: "En attente d'activation"
        case .actif: "Actif"
        case .desactive: "Désactivé"
        }
    }

    static func stateClass(_ state: Account.State) -> String {
        switch state {
        case .enAttente: "etat--attente"
        case .actif: "etat--ok"
        case .desactive: "etat--neutre"
        }
    }

    static func creationForm(_ form: WebForm? = nil) -> Formulaire {
        Formulaire([
            Champ("identifiant", "Identifiant", valeur: form?["identifiant"] ?? "",
                  aide: "3 à 100 caractères : lettres minuscules, chiffres, . _ @ + -", autocomplete: "off"),
            Champ("nom", "Nom affiché", valeur: form?["nom"] ?? "", autocomplete: "off"),
            Champ("courriel", "Adresse électronique", type: "email", valeur: form?["courriel"] ?? "",
                  aide: "Le lien d'activation y est envoyé.", autocomplete: "off", requis: false),
            Champ("role", "Rôle", valeur: form?["role"] ?? ""),
            Champ("habilitations", "Habilitations", valeur: form?["habilitations"] ?? "",
                  aide: "Séparées par des virgules, par exemple uai:0750655E. Établissement : uai: ou centre: ; correcteur : lot: ; président de jury : jury: ; candidat : candidat: et uai:.",
                  autocomplete: "off", requis: false),
        ])
    }

    static func row(_ entry: AccessAudit.Entry) -> LigneJournal {
        let (resultat, classe): (String, String) = switch entry.outcome {
        case "succes": ("Succès", "etat--ok")
        case "echec": ("Échec", "etat--alerte")
        case "refus": ("Refus", "etat--refus")
        default: (entry.outcome, "etat--neutre")
        }
        return LigneJournal(
            le: DateFrancaise.instant(entry.at), acteur: entry.actor ?? "—",
            role: entry.actorRole.flatMap(Role.init(rawValue:)).map(WebRenderer.libelle(of:)) ?? entry.actorRole ?? "—",
            adresse: entry.address ?? "—", action: entry.action, cible: entry.target ?? "—", resultat: resultat,
            classe: classe, detail: entry.detail ?? "")
    }
}
