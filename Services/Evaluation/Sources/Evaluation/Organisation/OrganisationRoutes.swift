import Documents
import Domain
import Foundation
import Hummingbird
import Messaging
import ServiceKit

/// `/v1/sessions/:code/…` and `/v1/lots/:id…`: units to grade, commissions, splitting into lots,
/// graders, opening and closing the collection, a lot with its copies, slips and labels.
struct OrganisationRoutes: Sendable {
    let lots: LotRepository
    let outbox: OutboxWriter

    struct NouvelleCommission: Decodable {
        var unite: String
        var centre: String
        var nature: String?
        var libelle: String
        var jour: String?
    }

    struct Decoupage: Decodable {
        /// Centre de correction (written), or the centre of the interrogations. Ignored for CCF
        /// (each établissement's copies make its own lots).
        var centre: String?
        var taille: Int
        var commission: UUID?
        var jour: String?
        /// Only the copies written in these centres d'épreuve (all when absent).
        var centresEpreuve: [String]?
    }

    struct Affectations: Decodable { var affectations: [LotRepository.Affectation] }
    struct Ouverture: Decodable { var lots: [UUID]? }

    struct Cree: ResponseEncodable { var lots: [Lot] }
    struct Nombre: ResponseEncodable { var nombre: Int }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/unites") { _, context -> Liste<LotRepository.UniteASaisir> in
            try context.require(.gestionnaire, .admin, .service, .etablissement)
            return Liste(items: try await lots.unites(session: try Self.session(context)))
        }

        group.get("sessions/:code/centres") { _, context -> Liste<LotRepository.CentreCorrection> in
            try context.require(.gestionnaire, .admin)
            return Liste(items: try await lots.centres(session: try Self.session(context)))
        }

        group.post("sessions/:code/commissions") { request, context -> EditedResponse<LotRepository.Commission> in
            try context.require(.gestionnaire)
            let session = try Self.session(context)
            let corps = try await request.corps(NouvelleCommission.self)
            var v = Verification()
            let nature = corps.nature ?? "correction"
            if !["correction", "interrogation"].contains(nature) {
                v.erreur("nature", "commission.nature", "Nature « \(nature) » inconnue : correction ou interrogation.")
            }
            let libelle = v.champ("libelle") { () throws(DomainError) in try Champs.libelle(corps.libelle, nom: "Le libellé de la commission") }
            let jour = corps.jour.flatMap { texte in v.champ("jour") { () throws(DomainError) in try Champs.jour(texte) } }
            if try await lots.unite(session: session, unite: corps.unite) == nil {
                v.erreur("unite", "unite.inconnue", "L'unité \(corps.unite) n'a aucune copie dans la session \(session) (anonymats pas encore reçus ?).")
            }
            if try await lots.centre(session: session, uai: corps.centre) == nil {
                v.erreur("centre", "centre.inconnu", "Le centre \(corps.centre) n'est pas un centre de la session \(session).")
            }
            try v.verifier()
            let commission = LotRepository.Commission(
                id: UUID(), session: session, unite: corps.unite, centre: corps.centre, nature: nature, libelle: libelle!, jour: jour)
            try await lots.creer(commission)
            return EditedResponse(status: .created, response: commission)
        }

        group.get("sessions/:code/commissions") { request, context -> Liste<LotRepository.Commission> in
            try context.require(.gestionnaire, .admin, .etablissement)
            return Liste(items: try await lots.commissions(session: try Self.session(context), unite: request.uri.queryParameters.get("unite")))
        }

        group.post("sessions/:code/unites/:unite/lots") { request, context -> EditedResponse<Cree> in
            try context.require(.gestionnaire)
            let session = try Self.session(context), unite = context.parametre("unite")
            let corps = try await request.corps(Decoupage.self)
            guard let description = try await lots.unite(session: session, unite: unite) else {
                throw ServiceError.notFound("L'unité \(unite) n'a aucune copie dans la session \(session) (anonymats pas encore reçus ?).")
            }
            var v = Verification()
            if !(1...500).contains(corps.taille) {
                v.erreur("taille", "lot.taille", "La taille d'un lot est comprise entre 1 et 500 copies (reçu \(corps.taille)).")
            }
            let ccf = description.mode == "ccf"
            let nature = ccf ? "ccf" : description.forme == "ecrite" ? "copies" : "interrogation"
            var commission: LotRepository.Commission?
            if let id = corps.commission {
                commission = try await lots.commission(id)
                if commission == nil || commission?.session != session || commission?.unite != unite {
                    v.erreur("commission", "commission.inconnue", "Cette commission n'existe pas pour l'unité \(unite).")
                }
            }
            let centre = corps.centre ?? commission?.centre
            if !ccf {
                if let centre {
                    if try await lots.centre(session: session, uai: centre) == nil {
                        v.erreur("centre", "centre.inconnu", "Le centre \(centre) n'est pas un centre de la session \(session).")
                    }
                } else {
                    v.erreur("centre", "centre.obligatoire", "Indiquez le centre de correction (ou la commission) des lots.")
                }
            }
            let jour = corps.jour.flatMap { texte in v.champ("jour") { () throws(DomainError) in try Champs.jour(texte) } } ?? commission?.jour
            try v.verifier()
            let ids = try await lots.decouper(
                session: session, unite: unite, taille: corps.taille, nature: nature, centre: centre, commission: commission?.id,
                jour: jour, centresEpreuve: corps.centresEpreuve, parCentre: ccf, outbox: outbox)
            guard !ids.isEmpty else {
                throw ServiceError.conflict("lot.aucune_copie", "Aucune copie de l'unité \(unite) n'attend de lot (toutes sont déjà réparties).")
            }
            context.logger.info("lots créés", metadata: ["unite": "\(unite)", "lots": "\(ids.count)"])
            return EditedResponse(status: .created, response: Cree(lots: try await lots.lots(.init(session: session, ids: ids))))
        }

        group.get("sessions/:code/lots") { request, context -> Liste<Lot> in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement, .service)
            let query = request.uri.queryParameters
            var centre = query.get("centre")
            if appelant.role == .etablissement {
                let uais = appelant.scopes.filter { $0.hasPrefix("uai:") }.map { String($0.dropFirst(4)) }
                guard let uai = centre ?? uais.first, uais.contains(uai) else {
                    throw ServiceError.forbidden("Accès refusé : un établissement ne suit que les lots qu'il accueille.")
                }
                centre = uai
            }
            let commission = query.get("commission").flatMap(UUID.init(uuidString:))
            return Liste(items: try await lots.lots(.init(
                session: try Self.session(context), unite: query.get("unite"), centre: centre, commission: commission)))
        }

        group.post("sessions/:code/affectations") { request, context -> Nombre in
            try context.require(.gestionnaire)
            let session = try Self.session(context)
            let corps = try await request.corps(Affectations.self, limite: 8 << 20)
            let connus = Set(try await lots.lots(.init(session: session, ids: Array(Set(corps.affectations.map(\.lot))))).map(\.id))
            var v = Verification()
            for (index, a) in corps.affectations.enumerated() {
                if !connus.contains(a.lot) { v.erreur("affectations[\(index)].lot", "lot.inconnu", "Le lot \(a.lot) n'existe pas dans cette session.") }
                if a.sujet.isEmpty { v.erreur("affectations[\(index)].sujet", "correcteur.sujet", "L'identifiant du correcteur est obligatoire.") }
                if a.nom.trimmingCharacters(in: .whitespaces).isEmpty { v.erreur("affectations[\(index)].nom", "correcteur.nom", "Le nom du correcteur est obligatoire.") }
            }
            try v.verifier()
            let nombre = try await lots.affecter(corps.affectations)
            try await lots.signaler(Array(connus))
            return Nombre(nombre: nombre)
        }

        group.delete("lots/:id/correcteurs/:sujet") { _, context -> Response in
            try context.require(.gestionnaire)
            let id = try Self.id(context)
            guard try await lots.retirer(lot: id, sujet: context.parametre("sujet")) else {
                throw ServiceError.notFound("Ce correcteur n'est pas affecté à ce lot.")
            }
            try await lots.signaler([id])
            return Response(status: .noContent)
        }

        for (chemin, ouvert) in [("ouverture", true), ("fermeture", false)] {
            group.post("sessions/:code/unites/:unite/\(chemin)") { _, context -> Nombre in
                try context.require(.gestionnaire)
                return Nombre(nombre: try await lots.ouvrir(ouvert, session: try Self.session(context), unite: context.parametre("unite"), lots: nil))
            }
            group.post("lots/:id/\(chemin)") { _, context -> Lot in
                try context.require(.gestionnaire)
                let id = try Self.id(context)
                guard let lot = try await lots.lot(id) else { throw Verrouillages.inconnu }
                _ = try await lots.ouvrir(ouvert, session: lot.session, unite: nil, lots: [id])
                return try await lots.lot(id) ?? lot
            }
        }

        group.get("lots/:id") { _, context -> Lot in
            let appelant = try context.require(.gestionnaire, .admin, .service, .etablissement, .correcteur, .interrogateur)
            return try await lisible(try Self.id(context), appelant).0
        }

        group.get("lots/:id/copies") { _, context -> Liste<CopieNotee> in
            let appelant = try context.require(.gestionnaire, .admin, .service, .etablissement, .correcteur, .interrogateur)
            let (lot, _) = try await lisible(try Self.id(context), appelant)
            return Liste(items: try await lots.copies(lot.id))
        }

        group.get("correcteurs/moi/lots") { _, context -> Liste<Lot> in
            let appelant = try context.require(.correcteur, .interrogateur)
            let ids = appelant.scopes.filter { $0.hasPrefix("lot:") }.compactMap { UUID(uuidString: String($0.dropFirst(4))) }
            return Liste(items: ids.isEmpty ? [] : try await lots.lotsDuCorrecteur(appelant.subject, parmi: ids))
        }

        group.get("lots/:id/bordereau.pdf") { _, context -> Response in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement, .correcteur, .interrogateur)
            let (lot, _) = try await lisible(try Self.id(context), appelant)
            let copies = try await lots.copies(lot.id)
            let commission = try await lot.commission.asyncMap { try await lots.commission($0)?.libelle } ?? nil
            let pdf = try await PDFRenderer.render([Bordereaux.bordereau(lot, copies: copies, commission: commission)])
            return Self.pdf(pdf, nom: "bordereau-\(lot.unite)-lot-\(lot.numero).pdf")
        }

        group.get("lots/:id/etiquettes.pdf") { _, context -> Response in
            let appelant = try context.require(.gestionnaire, .admin, .etablissement)
            let (lot, _) = try await lisible(try Self.id(context), appelant)
            let pdf = try await PDFRenderer.render(Bordereaux.etiquettes(lot, copies: try await lots.copies(lot.id)))
            return Self.pdf(pdf, nom: "etiquettes-\(lot.unite)-lot-\(lot.numero).pdf")
        }
    }

    /// The lot when `appelant` may see it; 404 when it does not exist, 403 when not his.
    func lisible(_ id: UUID, _ appelant: InternalIdentity) async throws -> (Lot, LotEtat) {
        guard let etat = try await lots.etat(id), let lot = try await lots.lot(id) else { throw Verrouillages.inconnu }
        guard Habilitation.peutVoir(appelant, etat) else { throw Habilitation.refusLot }
        var visible = lot
        if appelant.role == .correcteur || appelant.role == .interrogateur {
            // A grader sees his own name only, not his colleagues' accounts.
            visible.correcteurs = lot.correcteurs.filter { $0.sujet == appelant.subject }
        }
        return (visible, etat)
    }

    static func session(_ context: ServiceRequestContext) throws -> String {
        try ServiceError.validating(field: "code") { () throws(DomainError) in try SessionCode(context.parametre("code")) }.value
    }

    static func id(_ context: ServiceRequestContext, _ nom: String = "id") throws -> UUID {
        guard let id = UUID(uuidString: context.parametre(nom)) else {
            throw ServiceError.notFound("Identifiant « \(context.parametre(nom)) » inconnu.")
        }
        return id
    }

    static func pdf(_ octets: [UInt8], nom: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(nom)\"", .cacheControl: "private, no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: octets)))
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
