import Domain
import Foundation
import Hummingbird
import ServiceKit

/// The gestionnaire's juries: `GET|POST /v1/sessions/:code/jurys`, `PUT …/jurys/:jury` (centre,
/// day, président, members, in preparation), `POST …/jurys/repartition`
/// (candidates → juries, balanced), `POST …/jurys/:jury/candidats` (manual moves),
/// `POST …/jurys/:jury/ouverture` (« ouvre les services des délibérations », with the reason when
/// grades are missing), `POST …/jurys/:jury/reouverture` (a closed jury, with the reason),
/// `GET …/jurys/:jury/journal` (the hash-chained journal and its verification).
struct JuryRoutes: Sendable {
    let jurys: JuryRepository
    let seance: Seance
    let journal: Journal

    struct DemandeJury: Decodable, Sendable {
        var code: String
        var specialite: String
        var centre: String?
        var date: String?
        var president: String
        var membres: [Jury.Membre]?
    }

    struct Motif: Decodable, Sendable {
        var motif: String?
    }

    struct Numeros: Decodable, Sendable {
        var numeros: [String]
    }

    struct JournalJury: ResponseEncodable, Sendable {
        var jury: String
        var entrees: [Journal.Entree]
        var verifie: Bool
        var anomalies: [String]
    }

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("sessions/:code/jurys") { _, context -> Liste<Jury> in
            let appelant = try context.require(.gestionnaire, .admin, .presidentJury, .chefCentre)
            let session = try SimulationRoutes.session(context)
            let liste = try await jurys.jurys(session: session).filter { Self.atteint(appelant, $0) }
            return Liste(items: liste)
        }

        group.post("sessions/:code/jurys") { request, context -> EditedResponse<Jury> in
            try context.require(.gestionnaire)
            let session = try SimulationRoutes.session(context)
            let creation = try Self.creation(try await request.corps(DemandeJury.self))
            let jury = try await jurys.creer(creation, session: session)
            context.logger.info("jury created", metadata: ["session": "\(session)", "jury": "\(jury.code)"])
            return EditedResponse(status: .created, response: jury)
        }

        // The centre, the day, the président and the members, while the jury is in preparation;
        // its code and spécialité do not change.
        group.put("sessions/:code/jurys/:jury") { request, context -> Jury in
            try context.require(.gestionnaire)
            let jury = try await Self.jury(context, jurys)
            let creation = try Self.creation(try await request.corps(DemandeJury.self))
            guard creation.code == jury.code, creation.specialite == jury.specialite else {
                throw ServiceError.invalid(
                    "jury.identite", "Le code et la spécialité d'un jury ne changent pas (\(jury.code), \(jury.specialite)).",
                    details: [.init(location: "code", code: "jury.identite", message: "Code ou spécialité différents.")])
            }
            try await jurys.modifier(jury, creation)
            return try await Self.jury(context, jurys)
        }

        group.post("sessions/:code/jurys/repartition") { request, context -> JuryRepository.Repartition in
            try context.require(.gestionnaire)
            let session = try SimulationRoutes.session(context)
            let repartition = try await jurys.repartir(session: session, specialite: PreparationRoutes.specialite(request))
            context.logger.info("candidates seated", metadata: ["session": "\(session)", "affectes": "\(repartition.affectes)"])
            return repartition
        }

        group.post("sessions/:code/jurys/:jury/candidats") { request, context -> Jury in
            try context.require(.gestionnaire)
            let jury = try await Self.jury(context, jurys)
            let numeros = try await request.corps(Numeros.self).numeros.map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...1000).contains(numeros.count) else {
                throw ServiceError.invalid("jury.numeros", "Indiquez entre 1 et 1000 numéros de candidats.")
            }
            _ = try await jurys.affecter(numeros: numeros, jury: jury, session: try SimulationRoutes.session(context))
            return try await Self.jury(context, jurys)
        }

        group.post("sessions/:code/jurys/:jury/ouverture") { request, context -> Jury in
            let appelant = try context.require(.gestionnaire)
            let jury = try await Self.jury(context, jurys)
            let motif = try Self.motif(try await request.corps(Motif.self).motif, obligatoire: false)
            try await seance.ouvrir(jury, motif: motif, par: appelant)
            return try await Self.jury(context, jurys)
        }

        group.post("sessions/:code/jurys/:jury/reouverture") { request, context -> Jury in
            let appelant = try context.require(.gestionnaire)
            let jury = try await Self.jury(context, jurys)
            guard let motif = try Self.motif(try await request.corps(Motif.self).motif, obligatoire: true) else {
                throw ServiceError.invalid("jury.motif", "Le motif de la réouverture est obligatoire.")
            }
            try await seance.rouvrir(jury, motif: motif, par: appelant)
            return try await Self.jury(context, jurys)
        }

        group.get("sessions/:code/jurys/:jury/journal") { _, context -> JournalJury in
            let appelant = try context.require(.gestionnaire, .admin, .presidentJury, .chefCentre)
            try Self.autoriser(appelant, context)
            let jury = try await Self.jury(context, jurys, pour: appelant)
            let anomalies = try await journal.verifier(jury: jury.id)
            return JournalJury(jury: jury.code, entrees: try await journal.entrees(jury: jury.id), verifie: anomalies.isEmpty, anomalies: anomalies)
        }
    }

    // MARK: Checks

    /// The jury of the path, or a French 404; for a chef de centre, only a jury of his centre
    /// (403 otherwise).
    static func jury(_ context: ServiceRequestContext, _ jurys: JuryRepository, pour appelant: InternalIdentity? = nil) async throws -> Jury {
        let session = try SimulationRoutes.session(context)
        let code = context.parametre("jury").uppercased()
        guard code.count <= 20, let jury = try await jurys.jury(session: session, code: code) else {
            throw ServiceError.notFound("Aucun jury \(code.prefix(20)) dans la session \(session).")
        }
        if let appelant, !atteint(appelant, jury) { throw ServiceError.forbidden("Ce jury ne délibère pas dans votre centre.") }
        return jury
    }

    /// Who reaches a jury: the gestionnaire and the administrator all; a président the juries his
    /// habilitations name; a chef de centre those of his centre (`uai:`).
    static func atteint(_ appelant: InternalIdentity, _ jury: Jury) -> Bool {
        switch appelant.role {
        case .presidentJury: appelant.hasScope("jury", jury.habilitation)
        case .chefCentre: jury.centre.map { appelant.hasScope("uai", $0) } ?? false
        case .gestionnaire, .admin: true
        default: false
        }
    }

    /// A président de jury reaches only the juries his habilitation names (`jury:<session>:<code>`),
    /// checked on the path before anything is read.
    static func autoriser(_ appelant: InternalIdentity, _ context: ServiceRequestContext) throws {
        guard appelant.role == .presidentJury else { return }
        let habilitation = Jury.habilitation(session: context.parametre("code"), code: context.parametre("jury").uppercased())
        guard appelant.hasScope("jury", habilitation) else {
            throw ServiceError.forbidden("Vous ne présidez pas ce jury.")
        }
    }

    /// A reason as people type it: trimmed, 3 to 500 characters.
    static func motif(_ texte: String?, obligatoire: Bool) throws(ServiceError) -> String? {
        let motif = Journal.propre(texte ?? "")
        if motif.isEmpty {
            if obligatoire {
                throw ServiceError.invalid("motif.obligatoire", "Le motif est obligatoire.",
                                           details: [.init(location: "motif", code: "motif.obligatoire", message: "Indiquez le motif.")])
            }
            return nil
        }
        guard (3...500).contains(motif.count) else {
            throw ServiceError.invalid("motif.longueur", "Le motif compte de 3 à 500 caractères.",
                                       details: [.init(location: "motif", code: "motif.longueur", message: "De 3 à 500 caractères.")])
        }
        return motif
    }

    static func creation(_ demande: DemandeJury) throws(ServiceError) -> JuryRepository.Creation {
        var v = Verification()
        let code = v.champ("code") { () throws(DomainError) in
            let code = try Champs.code(demande.code, nom: "Code du jury", code: "jury.code")
            guard code.count <= 20 else { throw DomainError(code: "jury.code", message: "Le code du jury compte 20 caractères au plus.") }
            return code
        }
        let specialite = v.champ("specialite") { () throws(DomainError) in
            try Champs.code(demande.specialite, nom: "Spécialité", code: "jury.specialite")
        }
        let centre = demande.centre.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }.flatMap { texte in
            v.champ("centre") { () throws(DomainError) in try UAI(texte).value }
        }
        let date = demande.date.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }.flatMap { texte in
            v.champ("date") { () throws(DomainError) in try Champs.jour(texte) }
        }
        let president = v.champ("president") { () throws(DomainError) in
            try Champs.libelle(demande.president, maximum: 120, code: "jury.president", nom: "Le nom du président")
        }
        let membres = demande.membres ?? []
        if membres.count > 30 { v.erreur("membres", "jury.membres", "Un jury compte 30 membres au plus.") }
        for (index, membre) in membres.enumerated() {
            _ = v.champ("membres[\(index)].nom") { () throws(DomainError) in
                try Champs.libelle(membre.nom, maximum: 120, code: "jury.membre", nom: "Le nom du membre")
            }
        }
        try v.verifier()
        guard let code, let specialite, let president else { throw ServiceError.invalid("requete.invalide", "Requête invalide.") }
        return .init(code: code, specialite: specialite, centre: centre, date: date, president: president,
                     membres: membres.map { .init(nom: $0.nom.trimmingCharacters(in: .whitespaces), qualite: $0.qualite) })
    }
}
