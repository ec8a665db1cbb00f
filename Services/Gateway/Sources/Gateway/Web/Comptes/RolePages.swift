import Domain
import Foundation
import Hummingbird
import ServiceKit

/// The home pages of the other roles (admin, établissement, correcteur, président de jury,
/// candidat) and the établissement's papillons.
struct RolePages: Sendable {
    let identity: IdentityService
    let directory: ServiceDirectory
    let renderer: WebRenderer

    struct Carte {
        var titre: String
        var texte: String
        var lien: String?
    }

    struct AccueilPage {
        var intro: String
        var cartes: [Carte]
        var perimetreTitre: String?
        var perimetre: [String]
        /// Said instead of the list when the perimeter is empty.
        var vide: String?

        init(intro: String, cartes: [Carte], perimetreTitre: String? = nil, perimetre: [String], vide: String? = nil) {
            self.intro = intro
            self.cartes = cartes
            self.perimetreTitre = perimetreTitre
            self.perimetre = perimetre
            self.vide = perimetre.isEmpty ? vide : nil
        }
    }

    struct DossierPage {
        var identifiant: String?
        var parties: AggregateView?
        /// His candidatures in the open sessions (and the one named by `?session=`).
        var candidatures: [InscriptionPages.LigneCandidatureCandidat] = []
        var aCandidatures = false
        /// His relevés, attestations and diplômes (Publication's part), and his documents space
        /// (convocation, aménagement answers), to download.
        var documents: [LienDocument] = []
        var aDesDocuments = false
        var notifications: [String] = []
        var aDesNotifications = false
    }

    struct LienDocument: Decodable {
        var id: String
        var libelle: String
        var session: String
        /// The verification code (end-of-session documents only).
        var code: String?
        /// Filled by the page: where the browser downloads it.
        var href: String?
    }

    struct PapillonsPage {
        var uais: [AccountPages.Option]
        var formulaire: Formulaire.Vue
    }

    struct Imprime {
        var uai: String
        var papillons: [Papillon]
        /// Accounts already active, skipped (nil when none).
        var ignores: Int?
    }

    struct Papillon {
        var identifiant: String
        var nom: String
        var code: String
        var validJusquau: String
    }

    static let dossierParts: [(name: String, label: String)] = [
        ("candidature", "Candidature"), ("convocation", "Convocation"), ("notes", "Notes"),
        ("resultat", "Résultat"), ("documents", "Documents"),
    ]

    func add(to web: RouterGroup<ServiceRequestContext>) {
        web.get("admin") { request, context -> Response in
            let page = AccueilPage(
                intro: "Vous administrez les habilitations de Cyclades BP : comptes, rôles et périmètres, et le journal des accès.",
                cartes: [
                    Carte(titre: "Comptes", texte: "Créer, rechercher, désactiver les comptes ; renvoyer un lien d'activation.", lien: "/comptes"),
                    Carte(titre: "Journal d'accès", texte: "Qui s'est connecté, quand, d'où ; les refus et les changements d'habilitation.", lien: "/journal"),
                ],
                perimetre: [])
            return await renderer.render("accueil", titre: "Administration", page: page, request: request, context: context)
        }
        web.get("etablissement") { request, context -> Response in
            let caller = try context.caller()
            let page = AccueilPage(
                intro: "L'espace de votre établissement : les comptes de vos candidats et, au fil de la session, leurs candidatures, convocations et résultats.",
                cartes: [
                    Carte(titre: "Papillons", texte: "Imprimer les papillons de connexion de vos candidats (identifiant et code d'activation).",
                          lien: "/etablissement/papillons"),
                    Carte(titre: "Candidatures", texte: "Inscrire vos candidats, un par un ou par un fichier CSV, suivre leurs candidatures, leurs pièces et leurs statistiques.",
                          lien: "/etablissement/inscription"),
                    Carte(titre: "Résultats et documents", texte: "Les résultats publiés de vos élèves, l'extraction de leurs notes, les documents à leur remettre, les réponses à leurs demandes d'aménagement.",
                          lien: "/etablissement/resultats"),
                ],
                perimetreTitre: "Établissements de votre habilitation", perimetre: Self.scopes("uai", of: caller) + Self.scopes("centre", of: caller),
                vide: "Votre compte n'est rattaché à aucun établissement : adressez-vous à la division des examens.")
            return await renderer.render("accueil", titre: "Accueil de l'établissement", page: page, request: request, context: context)
        }
        web.get("correcteur") { request, context -> Response in
            let caller = try context.caller()
            let page = AccueilPage(
                intro: "Le portail de correction : vous y saisirez les notes de vos lots (numéros d'anonymat seulement), puis verrouillerez votre saisie.",
                cartes: [Carte(titre: "Saisie des notes", texte: "Vos lots : saisie des notes quand le gestionnaire a ouvert leur collecte, puis verrouillage.", lien: "/correcteur/lots")],
                perimetreTitre: "Mes lots", perimetre: Self.scopes("lot", of: caller),
                vide: "Aucun lot ne vous est attribué pour le moment.")
            return await renderer.render("accueil", titre: "Mes lots", page: page, request: request, context: context)
        }
        web.get("jury") { request, context -> Response in
            let caller = try context.caller()
            // Each habilitation `jury:<session>:<jury>` names one sitting to lead.
            let jurys = Self.scopes("jury", of: caller).compactMap { scope -> Carte? in
                let parties = scope.split(separator: ":", maxSplits: 1).map(String.init)
                guard parties.count == 2 else { return nil }
                return Carte(
                    titre: "Jury \(parties[1]) — session \(parties[0])",
                    texte: "Séance de délibération projetée, points de jury, clôture et procès-verbal.",
                    lien: "/deliberation/seance?session=\(Affichage.requete(parties[0]))&jury=\(Affichage.requete(parties[1]))")
            }
            let page = AccueilPage(
                intro: "Vous présidez la délibération de vos jurys (anonyme et projetée) et signez leurs procès-verbaux.",
                cartes: jurys + [Carte(titre: "Simulation de délibération", texte: "Une situation saisie, la décision et son explication ; rien n'est enregistré.",
                                       lien: "/deliberation/simulation")],
                perimetreTitre: "Mes jurys", perimetre: Self.scopes("jury", of: caller),
                vide: "Aucun jury ne vous est attribué pour le moment.")
            return await renderer.render("accueil", titre: "Mes jurys", page: page, request: request, context: context)
        }
        web.get("candidat") { request, context -> Response in
            let caller = try context.caller()
            let inscription = InscriptionPages(directory: directory, renderer: renderer, identity: identity)
            var sessions = await ServiceClient.sessionsOuvertes(directory).map(\.code)
            if let demandee = request.uri.queryParameters.get("session").flatMap(InscriptionVue.session), !sessions.contains(demandee) {
                sessions.insert(demandee, at: 0)
            }
            let candidatures = await inscription.candidaturesDuCandidat(caller, sessions: sessions)
            guard let id = Self.scopes("candidat", of: caller).first else {
                let page = DossierPage(candidatures: candidatures, aCandidatures: !candidatures.isEmpty)
                return await renderer.render("candidat", titre: "Mon dossier", page: page, request: request, context: context)
            }
            let aggregate = await AggregateRoutes(directory: directory).gather(AggregateRoutes.dossier(Affichage.requete(id)), as: caller)
            struct Documents: Decodable { var items: [LienDocument] }
            var documents = (AggregateView.decode(Documents.self, aggregate.parties["documents"]?.donnees)?.items ?? []).map { document in
                var lien = document
                lien.href = "/candidat/documents/\(Affichage.requete(document.id))"
                return lien
            }
            // The documents space (convocation, aménagement answers) and its notifications; the
            // page goes without them when Publication does not answer.
            struct Espace: Decodable {
                struct Document: Decodable { var id: String; var type: String; var titre: String; var session: String; var lien: String? }
                struct Notification: Decodable { var message: String }
                var documents: [Document]
                var notifications: [Notification]
            }
            let espace = try? await ServiceClient(directory: directory, service: "publication")
                .lire(Espace.self, "/candidats/\(Affichage.requete(id))/espace", as: caller)
            documents += (espace?.documents ?? []).map { d in
                LienDocument(id: d.id, libelle: d.titre, session: d.session, code: nil,
                             href: d.type == "convocation" ? d.lien : "/candidat/espace/\(Affichage.requete(d.id))")
            }
            let notifications = (espace?.notifications ?? []).map(\.message)
            let page = DossierPage(identifiant: id, parties: AggregateView(aggregate, order: Self.dossierParts),
                                   candidatures: candidatures, aCandidatures: !candidatures.isEmpty,
                                   documents: documents, aDesDocuments: !documents.isEmpty,
                                   notifications: notifications, aDesNotifications: !notifications.isEmpty)
            return await renderer.render("candidat", titre: "Mon dossier", page: page, request: request, context: context)
        }
        // An answer to his aménagement request (Publication checks it is his and visible).
        web.get("candidat/espace/:document") { _, context -> Response in
            let caller = try context.caller()
            guard let id = Self.scopes("candidat", of: caller).first else { throw ServiceError.forbidden() }
            let document = context.parameters.get("document") ?? ""
            return try await ServiceClient(directory: directory, service: "publication", timeout: .seconds(15))
                .telechargement("/candidats/\(Affichage.requete(id))/espace/\(Affichage.requete(document))", as: caller)
        }
        // A document of his (Publication checks it is his and still current).
        web.get("candidat/documents/:document") { _, context -> Response in
            let caller = try context.caller()
            guard let id = Self.scopes("candidat", of: caller).first else { throw ServiceError.forbidden() }
            let document = context.parameters.get("document") ?? ""
            return try await ServiceClient(directory: directory, service: "publication", timeout: .seconds(15))
                .telechargement("/candidats/\(Affichage.requete(id))/documents/\(Affichage.requete(document))", as: caller)
        }
        web.get("etablissement/papillons") { request, context -> Response in
            let caller = try context.caller()
            return await papillons(Self.papillonsForm(), caller: caller, request: request, context: context)
        }
        web.post("etablissement/papillons") { request, context -> Response in
            let caller = try context.caller()
            let form = try await WebForm.read(request)
            var formulaire = Self.papillonsForm(form)
            let uai = form["uai"]
            if !Self.scopes("uai", of: caller).contains(uai) { formulaire.erreur("uai", "Choisissez un établissement de votre habilitation.") }
            var candidats: [IdentityService.CandidatPapillon] = []
            for (index, line) in form["candidats"].split(whereSeparator: \.isNewline).enumerated() {
                let parts = line.split(separator: ";", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                        formulaire.erreur("candidats", "Ligne \(index + 1) : attendu « identifiant ; nom ».")
                    }
                    continue
                }
                candidats.append(.init(identifiant: parts[0], nom: parts[1]))
            }
            if candidats.isEmpty { formulaire.erreur("candidats", "Indiquez au moins un candidat, un par ligne : « identifiant ; nom ».") }
            if !formulaire.hasErrors {
                do {
                    let inscription = PapillonCandidats(directory: directory)
                    let printed = try await identity.papillons(
                        uai: uai, candidats: candidats, by: caller, address: context.remoteAddress,
                        confirmer: { try await inscription.confirmes(uai: uai, identifiants: $0, as: caller) })
                    let page = Imprime(
                        uai: uai,
                        papillons: printed.map {
                            Papillon(identifiant: $0.identifiant, nom: $0.nom, code: $0.code,
                                     validJusquau: DateFrancaise.instant($0.validJusquau))
                        },
                        ignores: candidats.count > printed.count ? candidats.count - printed.count : nil)
                    return await renderer.render("papillons-imprimes", titre: "Papillons à imprimer", page: page,
                                                 request: request, context: context)
                } catch let error as ServiceError where error.status == .forbidden {
                    formulaire.erreur("uai", error.message)
                } catch let error as ServiceError where error.status != .internalServerError {
                    formulaire.erreur("candidats", error.message)
                }
            }
            return await papillons(formulaire, caller: caller, request: request, context: context, status: .unprocessableContent)
        }
    }

    private func papillons(
        _ formulaire: Formulaire, caller: InternalIdentity, request: Request, context: ServiceRequestContext,
        status: HTTPResponse.Status = .ok
    ) async -> Response {
        let chosen = formulaire.champs["uai"]?.valeur ?? ""
        let uais = Self.scopes("uai", of: caller).map { AccountPages.Option(valeur: $0, libelle: $0, choisi: $0 == chosen) }
        return await renderer.render(
            "papillons", titre: formulaire.hasErrors ? "Erreur : papillons" : "Papillons",
            page: PapillonsPage(uais: uais, formulaire: formulaire.vue), request: request, context: context, status: status)
    }

    static func papillonsForm(_ form: WebForm? = nil) -> Formulaire {
        Formulaire([
            Champ("uai", "Établissement (UAI)", valeur: form?["uai"] ?? ""),
            Champ("candidats", "Candidats", valeur: form?["candidats"] ?? "",
                  aide: "Un candidat par ligne : identifiant ; nom. Par exemple : dupont.marie ; Marie Dupont"),
        ])
    }

    /// The values of the caller's scopes of `kind`, sorted.
    static func scopes(_ kind: String, of caller: InternalIdentity) -> [String] {
        caller.scopes.compactMap { scope in
            scope.hasPrefix(kind + ":") ? String(scope.dropFirst(kind.count + 1)) : nil
        }.sorted()
    }
}
