import Contracts
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/regroupements…`, `/affectation-automatique`, `/affectations`, `/ccf`,
/// `/verification`, `/terminaison`: the gestionnaire's assignment of épreuves-candidats.
struct AffectationRoutes: Sendable {
    let affectations: Affectations
    let terminaison: Terminaison

    var repository: AffectationRepository { affectations.affectations }

    struct Automatique: Decodable { var reprendre: Bool? }
    struct VersCentre: Decodable { var centre: String? }
    struct Manuel: Decodable { var candidature: UUID?; var centre: String?; var unites: [String]? }
    struct CCF: Decodable { var centre: String?; var etablissement: String?; var specialite: String?; var candidatures: [UUID]? }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions/:code/regroupements") { request, context -> EditedResponse<Regroupement> in
            let appelant = try context.require(.gestionnaire)
            let code = try Requetes.session(context)
            _ = try await affectations.session(code)
            let saisie = try await request.corps(SaisieRegroupement.self)
            var v = Verification()
            guard let regroupement = saisie.lire(session: code.value, par: appelant.subject, &v) else {
                try v.verifier()
                throw ServiceError.invalid("requete.invalide", "Regroupement invalide.")
            }
            return EditedResponse(status: .created, response: try await repository.creer(regroupement))
        }

        group.get("sessions/:code/regroupements") { _, context -> Liste<Regroupement> in
            try context.require(.gestionnaire, .admin)
            return Liste(items: try await repository.regroupements(session: try Requetes.session(context).value))
        }

        group.get("regroupements/:id") { _, context -> Regroupement in
            try context.require(.gestionnaire, .admin)
            return try await regroupement(context)
        }

        group.delete("regroupements/:id") { _, context -> Response in
            try context.require(.gestionnaire)
            try await repository.supprimer(try await regroupement(context).id)
            return Response(status: .noContent)
        }

        group.post("regroupements/:id/affectation-automatique") { request, context -> Affectations.Rapport in
            let appelant = try context.require(.gestionnaire)
            let regroupement = try await regroupement(context)
            let corps = try await Self.corpsFacultatif(request, Automatique.self) ?? Automatique()
            let rapport = try await affectations.automatique(
                session: try SessionCode(regroupement.session), regroupement: regroupement, reprendre: corps.reprendre ?? false, par: appelant)
            context.logger.info("affectation automatique", metadata: ["regroupement": "\(regroupement.libelle)", "places": "\(rapport.candidatsPlaces)",
                                                                      "non_places": "\(rapport.nonPlaces.count)", "ms": "\(rapport.millisecondes)"])
            return rapport
        }

        group.post("regroupements/:id/affectation") { request, context -> Affectations.Manuel in
            let appelant = try context.require(.gestionnaire)
            let regroupement = try await regroupement(context)
            let corps = try await request.corps(VersCentre.self)
            let centre = try Requetes.uai(corps.centre ?? "", champ: "centre")
            return try await affectations.regroupementVersCentre(regroupement, centre: centre, par: appelant)
        }

        group.post("sessions/:code/affectation-automatique") { request, context -> Affectations.Rapport in
            let appelant = try context.require(.gestionnaire)
            let corps = try await Self.corpsFacultatif(request, Automatique.self) ?? Automatique()
            return try await affectations.automatique(session: try Requetes.session(context), regroupement: nil, reprendre: corps.reprendre ?? false, par: appelant)
        }

        group.post("sessions/:code/affectations") { request, context -> Affectations.Manuel in
            let appelant = try context.require(.gestionnaire)
            let corps = try await request.corps(Manuel.self)
            var v = Verification()
            if corps.candidature == nil { v.erreur("candidature", "champ.manquant", "Le champ « candidature » est obligatoire.") }
            let centre = v.champ("centre") { () throws(DomainError) in try UAI(corps.centre ?? "") }
            try v.verifier()
            return try await affectations.manuel(session: try Requetes.session(context), candidature: corps.candidature!, centre: centre!.value,
                                                 unites: corps.unites?.map { $0.uppercased() }, par: appelant)
        }

        group.get("sessions/:code/affectations") { request, context -> Page<AffectationRepository.EpreuveCandidat> in
            let appelant = try context.require(.gestionnaire, .etablissement, .admin, .service)
            var v = Verification()
            let pagination = Pagination(request, &v)
            var filtre = AffectationRepository.Filtre(session: try Requetes.session(context).value)
            filtre.centre = Requetes.uaiFacultative(request, "centre", &v)
            filtre.specialite = Requetes.code(request, "specialite", &v)
            filtre.unite = Requetes.code(request, "unite", &v)
            let uai = Requetes.uaiFacultative(request, "uai", &v)
            if let mode = request.uri.queryParameters.get("mode"), !mode.isEmpty {
                if ModeEvaluationAffectation(rawValue: mode) == nil { v.erreur("mode", "filtre.mode", "Mode « \(mode) » inconnu : ccf ou ponctuel.") }
                filtre.mode = mode
            }
            if let etat = request.uri.queryParameters.get("etat"), !etat.isEmpty {
                if !["placee", "non_placee", "sans_salle"].contains(etat) {
                    v.erreur("etat", "filtre.etat", "État « \(etat) » inconnu : placee, non_placee ou sans_salle.")
                }
                filtre.etat = etat
            }
            if let q = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces), !q.isEmpty { filtre.recherche = String(q.prefix(100)) }
            try v.verifier()
            if appelant.role == .etablissement {
                // An établissement sees the candidates it registered, or those its centre hosts.
                let propres = Portee.uais(appelant)
                if let centre = filtre.centre {
                    guard propres.contains(centre) else { throw ServiceError.forbidden("Accès refusé : le centre \(centre) n'est pas de votre ressort.") }
                    filtre.uais = uai.map { [$0] }
                } else {
                    filtre.uais = try Requetes.uaisPermises(appelant, demandee: uai)
                }
            } else {
                filtre.uais = uai.map { [$0] }
            }
            let page = try await repository.liste(filtre, pagination: pagination)
            return Page(items: page.items, total: page.total, pagination: pagination)
        }

        group.get("sessions/:code/verification") { _, context -> AffectationRepository.ControleGlobal in
            try context.require(.gestionnaire, .admin)
            let code = try Requetes.session(context)
            _ = try await affectations.session(code)
            return try await repository.verifier(session: code.value, centres: try await affectations.referentiel.centres(session: code))
        }

        group.post("sessions/:code/ccf") { request, context -> Affectations.Manuel in
            let appelant = try context.require(.gestionnaire, .etablissement)
            var corps = try await request.corps(CCF.self)
            if appelant.role == .etablissement { corps.etablissement = try await ccfEtablissementVerifie(appelant, corps, session: try Requetes.session(context)) }
            var v = Verification()
            let centre = v.champ("centre") { () throws(DomainError) in try UAI(corps.centre ?? "") }
            let etablissement = corps.etablissement.flatMap { texte in v.champ("etablissement") { () throws(DomainError) in try UAI(texte) } }
            let specialite = corps.specialite.flatMap { texte in
                v.champ("specialite") { () throws(DomainError) in try Champs.code(texte, nom: "Code de spécialité", code: "ccf.specialite") }
            }
            if corps.etablissement == nil && corps.specialite == nil && corps.candidatures == nil {
                v.erreur("etablissement", "ccf.selection", "Indiquez les candidats dont placer les CCF : établissement, spécialité ou liste de candidatures.")
            }
            try v.verifier()
            guard let centre else { throw ServiceError.invalid("ccf.centre", "Indiquez le centre de la commission.") }
            return try await affectations.ccf(session: try Requetes.session(context), centre: centre.value, etablissement: etablissement?.value,
                                              specialite: specialite, candidatures: corps.candidatures, par: appelant)
        }

        group.get("sessions/:code/ccf") { request, context -> Page<AffectationRepository.EpreuveCandidat> in
            let appelant = try context.require(.gestionnaire, .service, .admin, .etablissement)
            var v = Verification()
            let pagination = Pagination(request, &v)
            var filtre = AffectationRepository.Filtre(session: try Requetes.session(context).value)
            filtre.mode = "ccf"
            let uai = Requetes.uaiFacultative(request, "uai", &v)
            try v.verifier()
            filtre.uais = try Requetes.uaisPermises(appelant, demandee: uai)
            let page = try await repository.liste(filtre, pagination: pagination)
            return Page(items: page.items, total: page.total, pagination: pagination)
        }

        group.post("sessions/:code/terminaison") { _, context -> Terminaison.Bilan in
            let appelant = try context.require(.gestionnaire)
            return try await terminaison.terminer(try Requetes.session(context), par: appelant)
        }
    }

    func regroupement(_ context: ServiceRequestContext) async throws -> Regroupement {
        let id = try Requetes.uuid(context, quoi: "regroupement")
        guard let regroupement = try await repository.regroupement(id) else {
            throw ServiceError.notFound("Le regroupement \(id.uuidString.lowercased()) n'existe pas.")
        }
        return regroupement
    }

    /// A JSON body that may be absent.
    static func corpsFacultatif<T: Decodable>(_ request: Request, _ type: T.Type) async throws -> T? {
        var copie = request
        let buffer = try await copie.collectBody(upTo: 1 << 16)
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Request.refus(error)
        }
    }

    /// In gestion autonome the établissement itself puts its own candidates' CCF épreuves into its
    /// commissions (management guide): only its UAI, only a commission of its own, only in autonomy.
    func ccfEtablissementVerifie(_ appelant: InternalIdentity, _ corps: CCF, session: SessionCode) async throws -> String {
        let propres = Portee.uais(appelant)
        let etablissement = corps.etablissement ?? (propres.count == 1 ? propres[0] : nil)
        guard let etablissement else {
            throw ServiceError.invalid("ccf.selection", "Indiquez l'établissement dont placer les CCF.",
                                       details: [.init(location: "etablissement", code: "ccf.selection", message: "Un de vos établissements.")])
        }
        guard propres.contains(etablissement) else {
            throw ServiceError.forbidden("Accès refusé : l'établissement \(etablissement) n'est pas de votre ressort.")
        }
        guard let centre = corps.centre, propres.contains(centre) else {
            throw ServiceError.forbidden("Accès refusé : un établissement place ses CCF dans ses propres commissions.")
        }
        guard try await affectations.referentiel.centre(etablissement, session: session)?.gestionAutonome == true else {
            throw ServiceError.forbidden("Accès refusé : seul un établissement en gestion autonome place lui-même ses CCF en commission ; sinon le gestionnaire s'en charge.")
        }
        return etablissement
    }
}
