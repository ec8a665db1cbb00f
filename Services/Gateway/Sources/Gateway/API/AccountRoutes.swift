import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/comptes`, `/api/v1/papillons`, `/api/v1/audit`, `/api/v1/courriels`: habilitations,
/// managed by admin and gestionnaire.
struct AccountRoutes: Sendable {
    let identity: IdentityService
    let papillonCandidats: PapillonCandidats

    struct Page<Item: Encodable & Sendable>: ResponseEncodable {
        var items: [Item]
        var total: Int?
        var page: Int
        var taille: Int
    }

    struct PapillonsRequest: Decodable {
        var uai: String
        var candidats: [IdentityService.CandidatPapillon]
    }

    func add(to api: RouterGroup<ServiceRequestContext>) {
        api.get("comptes") { request, context -> Page<Account> in
            try context.require(.admin, .gestionnaire)
            let query = request.uri.queryParameters
            let (page, taille) = try paging(request)
            var role: Role?
            if let text = query.get("role") {
                guard let value = Role(rawValue: text) else { throw ServiceError.invalid("role.inconnu", "Rôle inconnu : « \(text) ».") }
                role = value
            }
            var state: Account.State?
            if let text = query.get("etat") {
                guard let value = Account.State(rawValue: text) else { throw ServiceError.invalid("etat.inconnu", "État inconnu : « \(text) ».") }
                state = value
            }
            let result = try await identity.accounts.list(
                role: role, state: state, scope: query.get("habilitation"), search: query.get("q"),
                limit: taille, offset: ServiceKit.Pagination(page: page, taille: taille).offset)
            return Page(items: result.accounts, total: result.total, page: page, taille: taille)
        }
        api.post("comptes") { request, context -> EditedResponse<Account> in
            let caller = try context.require(.admin, .gestionnaire)
            let body = try await request.corps(IdentityService.NewAccount.self)
            let account = try await identity.create(body, by: caller, address: context.remoteAddress)
            return EditedResponse(status: .created, response: account)
        }
        api.get("comptes/:id") { _, context -> Account in
            try context.require(.admin, .gestionnaire)
            guard let id = context.parameters.get("id", as: UUID.self), let account = try await identity.accounts.find(id: id) else {
                throw ServiceError.notFound("Compte introuvable.")
            }
            return account
        }
        api.post("comptes/:id/desactivation") { _, context -> HTTPResponse.Status in
            let caller = try context.require(.admin, .gestionnaire)
            guard let id = context.parameters.get("id", as: UUID.self) else { throw ServiceError.notFound("Compte introuvable.") }
            try await identity.disable(id, by: caller, address: context.remoteAddress)
            return .noContent
        }
        api.post("comptes/:id/reinitialisation") { _, context -> HTTPResponse.Status in
            let caller = try context.require(.admin, .gestionnaire)
            guard let id = context.parameters.get("id", as: UUID.self) else { throw ServiceError.notFound("Compte introuvable.") }
            try await identity.sendReset(id, by: caller, address: context.remoteAddress)
            return .accepted
        }
        api.post("papillons") { request, context -> Page<IdentityService.Papillon> in
            let caller = try context.require(.etablissement, .gestionnaire)
            let body = try await request.corps(PapillonsRequest.self)
            let uai = try ServiceError.validating(field: "uai") { () throws(DomainError) in try UAIValue(body.uai) }
            let printed = try await identity.papillons(
                uai: uai.value, candidats: body.candidats, by: caller, address: context.remoteAddress,
                confirmer: { [papillonCandidats] in try await papillonCandidats.confirmes(uai: uai.value, identifiants: $0, as: caller) })
            return Page(items: printed, total: printed.count, page: 1, taille: printed.count)
        }
        api.get("audit") { request, context -> Page<AccessAudit.Entry> in
            try context.require(.admin, .gestionnaire)
            let (page, taille) = try paging(request)
            let entries = try await identity.audit.list(
                actor: request.uri.queryParameters.get("acteur"), action: request.uri.queryParameters.get("action"),
                limit: taille, offset: ServiceKit.Pagination(page: page, taille: taille).offset)
            return Page(items: entries, total: nil, page: page, taille: taille)
        }
        api.get("courriels") { request, context -> Page<MailOutbox.Mail> in
            try context.require(.admin)
            let (_, taille) = try paging(request)
            let mails = try await identity.mails.list(recipient: request.uri.queryParameters.get("destinataire"), limit: taille)
            return Page(items: mails, total: nil, page: 1, taille: taille)
        }
    }
}

/// `page` (1…1,000,000) and `taille` (1…200, default 50) of a list request, as every service
/// reads them: anything else is a 422 naming the parameter, never a number that overflows.
func paging(_ request: Request) throws(ServiceError) -> (page: Int, taille: Int) {
    let pagination = try ServiceKit.Pagination(request)
    return (pagination.page, pagination.taille)
}

import Domain
