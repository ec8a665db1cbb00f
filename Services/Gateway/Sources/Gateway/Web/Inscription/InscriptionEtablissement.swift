import Domain
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The établissement's registration screens: its sessions, a new candidature, the CSV import
/// (dry run first) and papillons; its lists, exports and statistics are `InscriptionListes`'.
///
/// | page | what |
/// |---|---|
/// | `/etablissement/inscription` | the open sessions (or a code typed) |
/// | `/etablissement/inscription/{code}/nouvelle` (GET, POST) | register a student |
/// | `/etablissement/inscription/{code}/import` (GET, POST) · `/import/execution` (POST) | CSV import: dry run listing every error by line, then the real run |
/// | `/etablissement/inscription/{code}/papillons` (POST) · `/etablissement/candidatures/{id}/papillon` (POST) | login slips of its candidates (identifiant = numéro candidat) |
extension InscriptionPages {
    struct SessionsPage {
        var sessions: [LigneSessionInscription]
        var code: String
        var erreur: String?
        var base: String
    }

    struct LigneSessionInscription {
        var code: String
        var libelle: String
        var lien: String
        var etat: String
        var classe: String
    }

    struct ImportPage {
        var session: String
        var racine: String
        var uais: [AccountPages.Option]
        var colonnes: String
        var formulaire: Formulaire.Vue
        var rapport: RapportVue?
        var refus: ReglementationVue.Refus?
        var validerCoche: Bool
    }

    struct RapportVue {
        var essai: Bool
        var lignes: Int
        var valides: Int
        var enErreur: Int
        var erreurs: [InscriptionAPI.Rapport.Erreur]
        var aErreurs: Bool
        var inscrites: Int
        var dejaInscrites: Int
        var validees: Int
        var contenu: String
        var uai: String
        var valider: Bool
        var fichier: String
        var importable: Bool
    }

    static let colonnesImport = "ine;nom_famille;nom_usage;prenoms;sexe;date_naissance;commune_naissance;pays_naissance;adresse;code_postal;commune;courriel;telephone;categorie;specialite;options;facultative;forme;consentement_publication"
    static let tailleImport = 16 << 20

    func addEtablissement(to web: RouterGroup<ServiceRequestContext>) {
        web.get("etablissement/inscription") { request, context -> Response in
            let caller = try context.caller()
            let saisi = (request.uri.queryParameters.get("session") ?? "").trimmingCharacters(in: .whitespaces)
            var erreur: String?
            if !saisi.isEmpty {
                if let code = InscriptionVue.session(saisi) { return WebRenderer.redirect("/etablissement/inscription/\(Affichage.requete(code))") }
                erreur = "« \(saisi) » n'est pas un code de session (par exemple BP-2027-06-N)."
            }
            let page = await sessionsPage(base: "/etablissement/inscription", saisi: saisi, erreur: erreur, as: caller, service: "inscription_etablissement")
            return await renderer.render("inscription-sessions", titre: "Inscriptions", page: page, request: request, context: context,
                                         status: erreur == nil ? .ok : .unprocessableContent)
        }

        web.get("etablissement/inscription/:code/nouvelle") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            var saisie = FormulaireCandidature()
            saisie.definir("uai", RolePages.scopes("uai", of: caller).first ?? "")
            saisie.definir("forme", "globale")
            return try await nouvelle(session, saisie, caller: caller, request: request, context: context)
        }

        web.post("etablissement/inscription/:code/nouvelle") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            let form = try await WebForm.read(request)
            var saisie = FormulaireCandidature(form: form)
            saisie.verifierChoix(categorie: true)
            if !saisie.formulaire.hasErrors {
                struct Cree: Decodable { var id: String }
                let answer = try await api.appel(.post, "/sessions/\(Affichage.requete(session))/candidatures", as: caller, json: saisie.saisie())
                if answer.status == .created, let cree = try? JSONDecoder().decode(Cree.self, from: answer.body) {
                    return WebRenderer.redirect(Espace.etablissement.candidature(cree.id) + "?fait=creee")
                }
                let refus = api.refus(answer)
                if refus.status.code >= 500 || refus.status == .notFound { throw refus }
                saisie.appliquer(refus)
            }
            return try await nouvelle(session, saisie, caller: caller, request: request, context: context, status: .unprocessableContent)
        }

        web.get("etablissement/inscription/:code/import") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            let page = importPage(session, formulaire: Self.importForm(uai: RolePages.scopes("uai", of: caller).first ?? "", valider: false), as: caller)
            return await renderer.render("inscription-import", titre: "Importer des candidatures", page: page, request: request, context: context)
        }

        web.post("etablissement/inscription/:code/import") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            let form = try await MultipartForm.read(request, limit: Self.tailleImport + (64 << 10))
            let uai = form.champs["uai"]
            let valider = form.champs["valider"] == "oui"
            var formulaire = Self.importForm(uai: uai, valider: valider)
            if !RolePages.scopes("uai", of: caller).contains(uai) { formulaire.erreur("uai", "Choisissez un établissement de votre habilitation.") }
            let fichier = form.fichiers["fichier"]
            if fichier == nil || fichier!.octets.isEmpty { formulaire.erreur("fichier", "Choisissez le fichier CSV à importer.") }
            guard let fichier, !formulaire.hasErrors else {
                let page = importPage(session, formulaire: formulaire, as: caller)
                return await renderer.render("inscription-import", titre: "Erreur : importer des candidatures", page: page, request: request,
                                             context: context, status: .unprocessableContent)
            }
            return try await importer(session, uai: uai, octets: fichier.octets, nom: fichier.nom, essai: true, valider: valider,
                                      formulaire: formulaire, caller: caller, request: request, context: context)
        }

        web.post("etablissement/inscription/:code/import/execution") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            // The file comes back from the dry run's page, base64 in a hidden field.
            let form = try await MultipartForm.read(request, limit: Self.tailleImport * 4 / 3 + (64 << 10))
            let uai = form.champs["uai"]
            let valider = form.champs["valider"] == "oui"
            guard let octets = Data(base64Encoded: form.champs.raw("contenu")), !octets.isEmpty else {
                throw ServiceError(.badRequest, code: "import.contenu", message: "Le fichier à importer n'a pas été renvoyé : recommencez l'import depuis le début.")
            }
            return try await importer(session, uai: uai, octets: Array(octets), nom: form.champs["fichier"], essai: false, valider: valider,
                                      formulaire: Self.importForm(uai: uai, valider: valider), caller: caller, request: request, context: context)
        }

        web.post("etablissement/inscription/:code/papillons") { request, context -> Response in
            let caller = try context.caller()
            let session = try Self.session(context)
            let form = try await WebForm.read(request)
            let uai = form["uai"]
            guard RolePages.scopes("uai", of: caller).contains(uai) else {
                throw ServiceError.forbidden("Accès refusé : vous n'êtes pas habilité pour l'établissement « \(uai) ».")
            }
            var candidats: [IdentityService.CandidatPapillon] = []
            var numero = 1
            var filtre = "uai=\(Affichage.requete(uai))"
            if !form["specialite"].isEmpty { filtre += "&specialite=\(Affichage.requete(form["specialite"]))" }
            while candidats.count < 2000 {
                let page = try await api.lire(
                    ServiceClient.Page<InscriptionAPI.Candidature>.self,
                    "/sessions/\(Affichage.requete(session))/candidatures?taille=200&page=\(numero)&\(filtre)", as: caller)
                candidats += page.items.filter { $0.etat != "annulee" }.map { .init(identifiant: $0.numero, nom: $0.nomComplet) }
                if page.items.count < 200 || numero * 200 >= page.total { break }
                numero += 1
            }
            guard !candidats.isEmpty else {
                let page = try await liste(session, espace: .etablissement, filtres: Filtres(request), as: caller)
                var avecNotice = page
                avecNotice.refus = .init(titre: "Aucun papillon à préparer.", message: "Aucune candidature non annulée de l'établissement \(uai) ne correspond.", details: [])
                return await renderer.render("inscription-candidatures", titre: "Erreur : papillons", page: avecNotice, request: request,
                                             context: context, status: .unprocessableContent)
            }
            return try await papillons(uai: uai, candidats: Array(candidats.prefix(2000)), caller: caller, request: request, context: context)
        }

        web.post("etablissement/candidatures/:id/papillon") { request, context -> Response in
            let caller = try context.caller()
            _ = try await WebForm.read(request)
            let id = try context.parameters.require("id")
            let candidature = try await api.lire(InscriptionAPI.Candidature.self, "/candidatures/\(Affichage.requete(id))", as: caller)
            guard let uai = candidature.uai else { throw ServiceError.forbidden("Accès refusé : ce candidat n'est inscrit par aucun établissement.") }
            return try await papillons(uai: uai, candidats: [.init(identifiant: candidature.numero, nom: candidature.nomComplet)],
                                       caller: caller, request: request, context: context)
        }
    }

    /// The papillons of an établissement's candidates, printed by the identity service (the
    /// candidate's login is his numéro candidat, his name `NOM Prénoms`).
    private func papillons(
        uai: String, candidats: [IdentityService.CandidatPapillon], caller: InternalIdentity, request: Request, context: ServiceRequestContext
    ) async throws -> Response {
        let inscription = PapillonCandidats(directory: directory)
        let printed = try await identity.papillons(
            uai: uai, candidats: candidats, by: caller, address: context.remoteAddress,
            confirmer: { try await inscription.confirmes(uai: uai, identifiants: $0, as: caller) })
        let page = RolePages.Imprime(
            uai: uai,
            papillons: printed.map {
                RolePages.Papillon(identifiant: $0.identifiant, nom: $0.nom, code: $0.code, validJusquau: DateFrancaise.instant($0.validJusquau))
            },
            ignores: candidats.count > printed.count ? candidats.count - printed.count : nil)
        return await renderer.render("papillons-imprimes", titre: "Papillons à imprimer", page: page, request: request, context: context)
    }

    /// The sessions to choose from: the open ones, with the state of the step service named.
    func sessionsPage(base: String, saisi: String, erreur: String?, as caller: InternalIdentity, service: String) async -> SessionsPage {
        let ouvertes = await ServiceClient.sessionsOuvertes(directory)
        let lignes = await withTaskGroup(of: (Int, LigneSessionInscription).self) { group in
            for (index, session) in ouvertes.enumerated() {
                group.addTask {
                    let offre = try? await offre(session.code, as: caller)
                    let ouvert = offre?.servicesOuverts.contains(service)
                    let (etat, classe) = switch ouvert {
                    case true?: ("Inscriptions ouvertes", "etat--ok")
                    case false?: ("Inscriptions fermées", "etat--neutre")
                    case nil: ("Pas encore connue du service d'inscription", "etat--attente")
                    }
                    return (index, LigneSessionInscription(
                        code: session.code, libelle: session.libelle, lien: "\(base)/\(Affichage.requete(session.code))", etat: etat, classe: classe))
                }
            }
            var lignes: [(Int, LigneSessionInscription)] = []
            for await ligne in group { lignes.append(ligne) }
            return lignes.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return SessionsPage(sessions: lignes, code: saisi, erreur: erreur, base: base)
    }

    private func nouvelle(
        _ session: String, _ saisie: FormulaireCandidature, caller: InternalIdentity, request: Request, context: ServiceRequestContext,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let offre = try await offre(session, as: caller)
        let racine = "/etablissement/inscription/\(Affichage.requete(session))"
        struct NouvellePage {
            var session: String
            var racine: String
            var services: String
            var formulaireCandidature: FormulaireCandidature.Vue
        }
        let vue = saisie.vue(action: "\(racine)/nouvelle", bouton: "Enregistrer le brouillon", offre: offre,
                             uais: Self.uais(of: caller, offre: offre), retour: racine, retourLibelle: "Annuler")
        return await renderer.render(
            "inscription-nouvelle", titre: status == .ok ? "Inscrire un candidat" : "Erreur : inscrire un candidat",
            page: NouvellePage(session: session, racine: racine, services: Self.services(offre), formulaireCandidature: vue),
            request: request, context: context, status: status)
    }

    static func importForm(uai: String, valider: Bool) -> Formulaire {
        Formulaire([
            Champ("uai", "Établissement", valeur: uai),
            Champ("fichier", "Fichier CSV", type: "file", aide: "UTF-8 ou ISO-8859-15, séparateur « ; », 16 Mio et 20 000 lignes au plus."),
            Champ("valider", "Valider les candidatures importées", valeur: valider ? "oui" : "", requis: false),
        ])
    }

    private func importPage(_ session: String, formulaire: Formulaire, rapport: RapportVue? = nil, refus: ReglementationVue.Refus? = nil,
                            as caller: InternalIdentity) -> ImportPage {
        let choisi = formulaire.champs["uai"]?.valeur ?? ""
        return ImportPage(
            session: session, racine: "/etablissement/inscription/\(Affichage.requete(session))",
            uais: RolePages.scopes("uai", of: caller).map { AccountPages.Option(valeur: $0, libelle: $0, choisi: $0 == choisi) },
            colonnes: Self.colonnesImport, formulaire: formulaire.vue, rapport: rapport, refus: refus,
            validerCoche: formulaire.champs["valider"]?.valeur == "oui")
    }

    /// Runs the import (dry or real) and shows its report: every error with its line.
    private func importer(
        _ session: String, uai: String, octets: [UInt8], nom: String, essai: Bool, valider: Bool, formulaire: Formulaire,
        caller: InternalIdentity, request: Request, context: ServiceRequestContext
    ) async throws -> Response {
        let answer = try await api.appel(
            .post, "/sessions/\(Affichage.requete(session))/etablissements/\(Affichage.requete(uai))/import?essai=\(essai)&valider=\(valider)",
            as: caller, contentType: "text/csv; charset=utf-8", body: ByteBuffer(bytes: octets))
        guard answer.status == .ok, let rapport = try? JSONDecoder().decode(InscriptionAPI.Rapport.self, from: answer.body) else {
            let refus = api.refus(answer)
            if refus.status.code >= 500 || refus.status == .forbidden { throw refus }
            let page = importPage(session, formulaire: formulaire,
                                  refus: Self.refusValidation(refus, titre: essai ? "Le fichier n'a pas pu être vérifié." : "Rien n'a été importé."),
                                  as: caller)
            return await renderer.render("inscription-import", titre: "Erreur : importer des candidatures", page: page, request: request,
                                         context: context, status: refus.status)
        }
        let enErreur = Set(rapport.erreurs.map(\.ligne)).count
        let vue = RapportVue(
            essai: essai, lignes: rapport.lignes, valides: rapport.valides, enErreur: enErreur, erreurs: rapport.erreurs,
            aErreurs: !rapport.erreurs.isEmpty, inscrites: rapport.inscrites, dejaInscrites: rapport.dejaInscrites, validees: rapport.validees,
            contenu: essai ? Data(octets).base64EncodedString() : "", uai: uai, valider: valider, fichier: nom,
            importable: essai && rapport.valides > 0)
        let page = importPage(session, formulaire: formulaire, rapport: vue, as: caller)
        return await renderer.render("inscription-import", titre: essai ? "Vérification du fichier" : "Import terminé", page: page,
                                     request: request, context: context)
    }
}
