import Foundation
import Hummingbird
import ServiceKit

/// `/creer-compte`: a Grand Public candidate opens his own account; the activation link goes
/// to the address he gives. The page answers the same whether the identifiant was free or not
/// (`IdentityService.register`).
struct CreationComptePages: Sendable {
    let identity: IdentityService
    let renderer: WebRenderer

    struct CreationPage {
        var envoye: String?
        var formulaire: Formulaire.Vue
    }

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("creer-compte") { request, context -> Response in
            let envoye = request.uri.queryParameters.get("envoye") != nil ? AuthRoutes.registrationAnswer : nil
            return await renderer.render("creer-compte", titre: "Créer mon compte candidat",
                                         page: CreationPage(envoye: envoye, formulaire: Self.formulaire().vue), request: request, context: context)
        }
        web.post("creer-compte") { request, context -> Response in
            let form = try await WebForm.read(request)
            var formulaire = Self.formulaire(form)
            if form["identifiant"].isEmpty { formulaire.erreur("identifiant", "Choisissez un identifiant.") }
            if form["nom"].isEmpty { formulaire.erreur("nom", "Saisissez vos prénom et nom.") }
            if form["courriel"].isEmpty { formulaire.erreur("courriel", "Saisissez votre adresse électronique : le lien d'activation y est envoyé.") }
            var status = HTTPResponse.Status.unprocessableContent
            if !formulaire.hasErrors {
                do {
                    try await identity.register(
                        .init(identifiant: form["identifiant"], nom: form["nom"], courriel: form["courriel"]), address: context.remoteAddress)
                    return WebRenderer.redirect("/creer-compte?envoye=1")
                } catch let error as ServiceError where error.status == .unprocessableContent {
                    formulaire.apply(error)
                } catch let error as ServiceError where error.status == .tooManyRequests {
                    formulaire.erreurGenerale = error.message
                    status = .tooManyRequests
                }
            }
            return await renderer.render("creer-compte", titre: "Erreur : créer mon compte candidat",
                                         page: CreationPage(formulaire: formulaire.vue), request: request, context: context, status: status)
        }
    }

    static func formulaire(_ form: WebForm? = nil) -> Formulaire {
        Formulaire([
            Champ("identifiant", "Identifiant", valeur: form?["identifiant"] ?? "",
                  aide: "3 à 100 caractères : lettres minuscules, chiffres, . _ @ + - ; au moins une lettre. Votre adresse électronique convient.",
                  autocomplete: "username"),
            Champ("nom", "Prénom et nom", valeur: form?["nom"] ?? "", autocomplete: "name"),
            Champ("courriel", "Adresse électronique", type: "email", valeur: form?["courriel"] ?? "",
                  aide: "Le lien pour choisir votre mot de passe y est envoyé ; il est valable 7 jours.", autocomplete: "email"),
        ])
    }
}
