import Contracts
import Documents
import Domain
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/sessions/:code/candidatures`, `/v1/candidatures/:id…`: registration, as the gestionnaire,
/// an établissement (its own candidates) or a Grand Public candidate (himself) does it.
struct CandidatureRoutes: Sendable {
    let inscriptions: Inscriptions

    var confirmations: ConfirmationRepository { inscriptions.confirmations }

    struct Annulation: Decodable { var motif: String? }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions/:code/candidatures") { request, context -> EditedResponse<Candidature> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat)
            let saisie = try await request.corps(Saisie.self)
            let candidature = try await inscriptions.creer(saisie, session: try Self.session(context), par: appelant)
            context.logger.info("candidature créée", metadata: ["candidature.numero": "\(candidature.numero)"])
            return EditedResponse(status: .created, response: candidature)
        }

        group.get("sessions/:code/candidatures") { request, context -> Page<Candidature> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin, .service)
            var v = Verification()
            let pagination = Pagination(request, &v)
            let filtre = try Self.filtre(request, context, appelant, &v)
            try v.verifier()
            let page = try await inscriptions.candidatures.liste(filtre, pagination: pagination)
            return Page(items: page.items, total: page.total, pagination: pagination)
        }

        // A candidate's file (the gateway's aggregate): `:id` is his scope (`candidat:<id>`, his
        // login or his numéro candidat); a candidate gets his own candidatures whatever the id
        // resolves to, the gestionnaire those of numéro `:id`.
        group.get("candidats/:id/candidature") { _, context -> Liste<Candidature> in
            let appelant = try context.require(.candidat, .gestionnaire, .admin, .service)
            let id = context.parametre("id").lowercased()
            var filtre = CandidatureRepository.Filtre(session: nil)
            if appelant.role == .candidat {
                guard appelant.hasScope("candidat", id) else { throw Portee.refus }
                filtre.compte = appelant.subject
                filtre.numeros = Portee.numeros(appelant)
                filtre.uaisDesNumeros = Portee.uais(appelant)
            } else {
                filtre.compte = ""
                filtre.numeros = [id]
            }
            return Liste(items: try await inscriptions.candidatures.liste(filtre, pagination: Pagination(page: 1, taille: 50)).items)
        }

        // Which of these numéros are candidates of établissement `:uai` in a session not closed
        // (the gateway asks before printing papillons, as the établissement or gestionnaire).
        group.post("etablissements/:uai/papillons/verification") { request, context -> Liste<CandidatPapillon> in
            let appelant = try context.require(.gestionnaire, .etablissement)
            let uai = try ServiceError.validating(field: "uai") { () throws(DomainError) in try UAI(context.parametre("uai")) }
            guard appelant.role == .gestionnaire || appelant.hasScope("uai", uai.value) else { throw Portee.refus }
            let corps = try await request.corps(VerificationPapillons.self)
            guard corps.numeros.count <= Self.impressionMaximale else {
                throw ServiceError.invalid("papillons.nombre", "Au plus \(Self.impressionMaximale) numéros par vérification.",
                                           details: [.init(location: "numeros", code: "papillons.nombre", message: "Trop de numéros.")])
            }
            let numeros = Array(Set(corps.numeros.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0.count <= 20 }))
            let trouves = try await inscriptions.candidatures.numerosDeLEtablissement(uai.value, numeros: numeros)
            return Liste(items: trouves.map { CandidatPapillon(numero: $0.numero, nom: $0.nom) })
        }

        group.get("candidatures/:id") { _, context -> Candidature in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin, .service)
            return try await inscriptions.candidature(try Self.id(context), pour: appelant)
        }

        group.put("candidatures/:id") { request, context -> Candidature in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat)
            try await inscriptions.avantEcriture(try Self.id(context), par: appelant)
            let saisie = try await request.corps(Saisie.self)
            return try await inscriptions.modifier(try Self.id(context), saisie, par: appelant)
        }

        group.post("candidatures/:id/validation") { _, context -> Candidature in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat)
            let candidature = try await inscriptions.valider(try Self.id(context), par: appelant)
            context.logger.info("candidature validée", metadata: ["candidature.numero": "\(candidature.numero)"])
            return candidature
        }

        group.post("candidatures/:id/annulation") { request, context -> Candidature in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat)
            try await inscriptions.avantEcriture(try Self.id(context), par: appelant)
            let corps = try await request.corps(Annulation.self)
            return try await inscriptions.annuler(try Self.id(context), motif: corps.motif ?? "", par: appelant)
        }

        group.get("candidatures/:id/historique") { _, context -> Liste<CandidatureRepository.Evenement> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let id = try Self.id(context)
            _ = try await inscriptions.candidature(id, pour: appelant)
            return Liste(items: try await inscriptions.candidatures.historique(id))
        }

        group.get("candidatures/:id/confirmations") { _, context -> Liste<ConfirmationRepository.Version> in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let id = try Self.id(context)
            _ = try await inscriptions.candidature(id, pour: appelant)
            return Liste(items: try await confirmations.versions(id))
        }

        group.get("candidatures/:id/confirmation") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .etablissement, .candidat, .admin)
            let id = try Self.id(context)
            let candidature = try await inscriptions.candidature(id, pour: appelant)
            var version: Int?
            if let texte = request.uri.queryParameters.get("version") {
                guard let valeur = Int(texte), valeur >= 1 else {
                    throw ServiceError.invalid("confirmation.version", "La version demandée doit être un entier ≥ 1 (reçu « \(texte) »).")
                }
                version = valeur
            }
            guard let document = try await confirmations.document(id, version: version) else {
                throw ServiceError.notFound(version == nil
                    ? "La candidature n° \(candidature.numero) n'a pas encore de confirmation : elle est produite à la validation."
                    : "La confirmation version \(version!) de la candidature n° \(candidature.numero) n'existe pas.")
            }
            return try await Self.pdf([document], nom: "confirmation-\(candidature.numero).pdf")
        }

        group.get("sessions/:code/confirmations.pdf") { request, context -> Response in
            let appelant = try context.require(.gestionnaire, .etablissement)
            var v = Verification()
            var filtre = try Self.filtre(request, context, appelant, &v)
            try v.verifier()
            filtre.etat = nil
            let liste = try await inscriptions.candidatures.liste(filtre, pagination: Pagination(page: 1, taille: Self.impressionMaximale + 1))
            let validees = liste.items.filter { $0.etat.estValidee }
            guard validees.count <= Self.impressionMaximale else {
                throw ServiceError.invalid("impression.trop_grande", "Au plus \(Self.impressionMaximale) confirmations par impression : filtrez par établissement ou spécialité.")
            }
            guard !validees.isEmpty else { throw ServiceError.notFound("Aucune candidature validée ne correspond à ces filtres.") }
            return try await Self.pdf(try await confirmations.documents(validees.map(\.id)), nom: "confirmations-\(filtre.session ?? "").pdf")
        }

        group.post("sessions/:code/confirmations/regeneration") { request, context -> Regeneration in
            let appelant = try context.require(.gestionnaire)
            var v = Verification()
            var filtre = try Self.filtre(request, context, appelant, &v)
            try v.verifier()
            filtre.etat = nil
            return try await regenerer(filtre, par: appelant)
        }

        group.get("sessions/:code/offre") { _, context -> Offre in
            _ = try context.caller()
            let session = try await inscriptions.session(try Self.session(context))
            let centres = try await inscriptions.referentiel.centres(session: session.code, uais: nil)
            return Offre(session, centres: centres.filter { !$0.retire && $0.roles.contains(.inscription) })
        }
    }

    static let impressionMaximale = 2000

    struct VerificationPapillons: Decodable { var numeros: [String] }
    struct CandidatPapillon: Encodable, Sendable { var numero: String; var nom: String }

    /// The bulk regeneration's report.
    struct Regeneration: ResponseEncodable {
        var examinees: Int
        var regenerees: Int
    }

    /// A new confirmation for every validated candidature whose récapitulatif no longer shows
    /// what it is (règlement republished, centre renamed, aménagement granted…), by pages.
    func regenerer(_ filtre: CandidatureRepository.Filtre, par appelant: InternalIdentity) async throws -> Regeneration {
        let session = try await inscriptions.session(try SessionCode(filtre.session ?? ""))
        var rapport = Regeneration(examinees: 0, regenerees: 0)
        var page = 1
        while true {
            let liste = try await inscriptions.candidatures.liste(filtre, pagination: Pagination(page: page, taille: 200))
            let validees = liste.items.filter { $0.etat.estValidee }
            rapport.examinees += validees.count
            rapport.regenerees += try await inscriptions.database.transaction { connection in
                var n = 0
                for candidature in validees where try await confirmations.generer(candidature, session: session, par: appelant.subject, on: connection) {
                    try await inscriptions.candidatures.noter(candidature.id, "confirmation_regeneree", par: appelant, on: connection)
                    n += 1
                }
                return n
            }
            if liste.items.count < 200 { break }
            page += 1
        }
        return rapport
    }

    static func pdf(_ documents: [Document], nom: String) async throws -> Response {
        let octets = try await PDFRenderer.render(documents)
        return Response(
            status: .ok,
            headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(nom)\"", .cacheControl: "private, no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: octets)))
    }

    static func session(_ context: ServiceRequestContext) throws -> SessionCode {
        try ServiceError.validating(field: "code") { () throws(DomainError) in try SessionCode(context.parametre("code")) }
    }

    static func id(_ context: ServiceRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: context.parametre("id")) else {
            throw ServiceError(.notFound, code: "candidature.inconnue", message: "Identifiant de candidature « \(context.parametre("id")) » invalide.")
        }
        return id
    }

    /// The list filters of the query string, limited to what the caller may see.
    static func filtre(_ request: Request, _ context: ServiceRequestContext, _ appelant: InternalIdentity, _ v: inout Verification) throws -> CandidatureRepository.Filtre {
        let query = request.uri.queryParameters
        var filtre = CandidatureRepository.Filtre(session: try session(context).value)
        if let texte = query.get("specialite"), !texte.isEmpty { filtre.specialite = texte.uppercased() }
        if let texte = query.get("uai"), !texte.isEmpty {
            filtre.uais = v.champ("uai") { () throws(DomainError) in try UAI(texte) }.map { [$0.value] }
        }
        if let texte = query.get("categorie"), !texte.isEmpty {
            if CategorieInscription(rawValue: texte) == nil {
                v.erreur("categorie", "filtre.categorie", "Catégorie « \(texte) » inconnue : \(CategorieInscription.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            filtre.categorie = texte
        }
        if let texte = query.get("etat"), !texte.isEmpty {
            if EtatCandidature(rawValue: texte) == nil {
                v.erreur("etat", "filtre.etat", "État « \(texte) » inconnu : \(EtatCandidature.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            filtre.etat = texte
        }
        if let texte = query.get("amenagement"), !texte.isEmpty {
            switch texte {
            case "oui", "true": filtre.amenagement = true
            case "non", "false": filtre.amenagement = false
            default: v.erreur("amenagement", "filtre.amenagement", "Filtre aménagement « \(texte) » : oui ou non.")
            }
        }
        if let texte = query.get("q")?.trimmingCharacters(in: .whitespaces), !texte.isEmpty { filtre.recherche = String(texte.prefix(100)) }
        switch appelant.role {
        case .etablissement:
            let propres = Portee.uais(appelant)
            if let demandees = filtre.uais, !demandees.allSatisfy(propres.contains) { throw Portee.refus }
            filtre.uais = filtre.uais ?? propres
        case .candidat:
            filtre.compte = appelant.subject
            filtre.numeros = Portee.numeros(appelant)
            filtre.uaisDesNumeros = Portee.uais(appelant)
        default: break
        }
        return filtre
    }
}

/// What a registration form offers in a session: spécialités with their options and
/// facultative units, the pièces asked, the centres d'inscription, which services are open.
struct Offre: ResponseEncodable {
    struct Specialite: Encodable {
        struct Option: Encodable { var epreuve: String; var code: String; var libelle: String }
        var code: String
        var libelle: String
        var options: [Option]
        var facultatives: [Option]
    }

    struct Centre: Encodable { var uai: String; var nom: String; var commune: String }

    var session: String
    var libelle: String
    var academie: String
    var servicesOuverts: [String]
    var reglementVersion: Int?
    var specialites: [Specialite]
    var pieces: [PieceJustificative]
    var centres: [Centre]

    init(_ session: SessionInscription, centres: [CentreInscription]) {
        self.session = session.code.value
        libelle = session.libelle
        academie = session.academie
        servicesOuverts = session.servicesOuverts.map(\.rawValue).sorted()
        reglementVersion = session.reglement?.version
        specialites = (session.reglement?.specialites ?? []).map { offerte in
            let r = offerte.reglement
            return Specialite(
                code: r.specialite, libelle: r.libelle,
                options: r.epreuves.filter { $0.auChoix && !$0.facultative }.flatMap { e in
                    e.unites.filter { offerte.optionsOffertes.isEmpty || offerte.optionsOffertes.contains($0.code) }
                        .map { Specialite.Option(epreuve: e.code, code: $0.code, libelle: $0.libelle) }
                },
                facultatives: r.epreuves.filter(\.facultative).flatMap { e in e.unites.map { Specialite.Option(epreuve: e.code, code: $0.code, libelle: $0.libelle) } })
        }.sorted { $0.libelle < $1.libelle }
        pieces = session.reglement?.piecesJustificatives ?? []
        self.centres = centres.map { Centre(uai: $0.uai, nom: $0.nom, commune: $0.commune) }
    }
}
