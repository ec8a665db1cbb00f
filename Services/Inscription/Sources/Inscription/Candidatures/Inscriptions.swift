import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
import Referentiel
import ServiceKit
import Storage

/// The registration use cases: create, change, validate (the candidate's signature), cancel.
/// Each runs in one transaction with its history line, its confirmation and its event.
struct Inscriptions: Sendable {
    let referentiel: ReferentielRepository
    let candidatures: CandidatureRepository
    let confirmations: ConfirmationRepository
    let outbox: OutboxWriter

    var database: Database { candidatures.database }
    var logger: Logger { database.logger }

    // MARK: Reads

    func candidature(_ id: UUID, pour appelant: InternalIdentity) async throws -> Candidature {
        guard let candidature = try await candidatures.lire(id) else { throw Self.inconnue(id) }
        guard Portee.peutVoir(appelant, candidature) else { throw Portee.refus }
        try await verifierSessionClose(candidature, appelant, ecriture: false)
        return candidature
    }

    /// Refuses a change before its body is read when the caller may not see the candidature or
    /// its session is closed (the same checks run again under the lock).
    func avantEcriture(_ id: UUID, par appelant: InternalIdentity) async throws {
        let candidature = try await candidature(id, pour: appelant)
        try await verifierSessionClose(candidature, appelant, ecriture: true)
    }

    /// A closed session's candidatures: the établissement no longer reaches them, the others
    /// only read them (the candidate keeps his confirmations).
    func verifierSessionClose(_ candidature: Candidature, _ appelant: InternalIdentity, ecriture: Bool) async throws {
        guard let code = try? SessionCode(candidature.session) else { return }
        try await AccesSessionClose.verifier(appelant, session: code, referentiel: referentiel, ecriture: ecriture)
    }

    func session(_ code: SessionCode) async throws -> SessionInscription {
        guard let session = try await referentiel.session(code) else {
            throw ServiceError.notFound("La session \(code.value) est inconnue du service d'inscription (pas encore ouverte ?).")
        }
        return session
    }

    // MARK: Create

    func creer(_ saisie: Saisie, session code: SessionCode, par appelant: InternalIdentity) async throws -> Candidature {
        let session = try await session(code)
        var v = Verification()
        guard let lu = saisie.lire(&v) else { try v.verifier(); throw ServiceError.invalid("requete.invalide", "Saisie invalide.") }
        let (candidat, choix) = lu
        try Self.autoriserCreation(choix, par: appelant)
        if session.close {
            throw ServiceError.conflict("session.close", "La session \(code.value) est close : plus aucune inscription n'y est possible.")
        }
        let service = SessionInscription.service(pour: choix.categorie)
        if appelant.role != .gestionnaire && !session.servicesOuverts.contains(service) {
            throw ServiceError.invalid(
                "inscription.service_ferme",
                "Le service d'\(service.libelle) de la session \(code.value) est fermé : un candidat \(choix.categorie.libelle) ne peut pas être inscrit maintenant.",
                details: [.init(location: "categorie", code: "inscription.service_ferme", message: "Service d'\(service.libelle) fermé.")])
        }
        let id = UUID()
        let compte = appelant.role == .candidat ? appelant.subject : nil
        try await database.transaction { connection in
            let candidatId = try await self.candidat(candidat, compte: compte, par: appelant, on: connection)
            let homonymeAccepte = try await controle(on: connection).creation(
                candidat: candidatId, candidat, session: code, accepterHomonyme: saisie.accepterHomonyme == true, par: appelant)
            do {
                _ = try await candidatures.nouvelleCandidature(
                    id: id, session: code.value, candidat: candidatId, choix: choix, homonymeAccepte: homonymeAccepte,
                    par: appelant.subject, on: connection)
            } catch where error.violationUnicite {
                throw ServiceError.conflict("candidature.specialite_unique", "Ce candidat a déjà une candidature pour la session \(code.value) : un seul BP par session.")
            }
            try await candidatures.noter(id, "creation", par: appelant, on: connection)
        }
        return try await candidature(id, pour: appelant)
    }

    /// The candidat row a new candidature goes on: the one of this INE (or of the candidate's
    /// account), changed only by whoever follows it (`Portee.peutModifierIdentite`) — anyone else
    /// must give exactly the identity it holds, or is refused without learning it; else a new one.
    func candidat(_ candidat: Candidat, compte: String?, par appelant: InternalIdentity, on connection: PostgresConnection) async throws -> UUID {
        guard let connu = try await candidatures.candidatExistant(ine: candidat.ine, compte: compte, on: connection) else {
            return try await candidatures.nouveauCandidat(candidat, compte: compte, on: connection)
        }
        var donne = candidat
        if donne.ine == nil { donne.ine = connu.candidat.ine }
        if donne == connu.candidat { return connu.id }
        guard Portee.peutModifierIdentite(appelant, connu) else { throw Portee.identitePartagee }
        try await candidatures.mettreAJour(connu.id, candidat, on: connection)
        return connu.id
    }

    static func autoriserCreation(_ choix: Choix, par appelant: InternalIdentity) throws {
        switch appelant.role {
        case .gestionnaire: return
        case .etablissement:
            guard choix.categorie != .individuel else {
                throw ServiceError.forbidden("Un établissement n'inscrit pas de candidat individuel : le Grand Public s'inscrit lui-même.")
            }
            guard let uai = choix.uai, appelant.hasScope("uai", uai) else {
                throw ServiceError.forbidden("Accès refusé : vous n'inscrivez que les candidats de votre établissement.")
            }
        case .candidat:
            guard choix.categorie == .individuel else {
                throw ServiceError.forbidden("Un candidat s'inscrit lui-même en candidat individuel ; un apprenti ou un stagiaire est inscrit par son établissement.")
            }
        default: throw ServiceError.forbidden()
        }
    }

    // MARK: Change

    func modifier(_ id: UUID, _ saisie: Saisie, par appelant: InternalIdentity) async throws -> Candidature {
        var v = Verification()
        guard let lu = saisie.lire(&v) else { try v.verifier(); throw ServiceError.invalid("requete.invalide", "Saisie invalide.") }
        let (candidat, choix) = lu
        guard let apercu = try await candidatures.lire(id) else { throw Self.inconnue(id) }
        let contexte = try await contexte(apercu.session, uais: [apercu.uai, choix.uai])
        try await database.transaction { connection in
            let avant = try await self.pourAgir(id, appelant, on: connection)
            guard avant.session == apercu.session else { throw Self.concurrente(avant) }
            guard avant.etat != .annulee else { throw Self.annulee(avant) }
            if appelant.role != .gestionnaire && (choix.categorie != avant.categorie || choix.uai != avant.uai) {
                try Self.autoriserCreation(choix, par: appelant)
            }
            if appelant.role == .candidat && choix.categorie != avant.categorie {
                throw ServiceError.forbidden("La catégorie d'une candidature ne se change que par l'établissement ou le gestionnaire.")
            }
            var donne = candidat
            if donne.ine == nil { donne.ine = avant.candidat.ine }  // an absent INE keeps the stored one
            if donne != avant.candidat {
                guard let connu = try await candidatures.candidatConnu(avant.candidatId, on: connection) else { throw Self.concurrente(avant) }
                guard Portee.peutModifierIdentite(appelant, connu) else { throw Portee.identitePartagee }
                try await candidatures.mettreAJour(avant.candidatId, candidat, on: connection)
            }
            var choix = choix
            // The consent not sent stays as it is (a form that does not show it keeps it).
            if saisie.consentementDonne == nil { choix.consentementPublication = avant.consentementPublication }
            try await candidatures.enregistrerChoix(id, choix, on: connection)
            guard let apres = try await candidatures.lire(id, on: connection) else { throw Self.inconnue(id) }
            let ecarts = CandidatureRepository.ecarts(avant, apres)
            guard !ecarts.isEmpty else { return }
            if avant.etat.estValidee {
                try await self.revalider(apres, choixValide: avant.choix, etat: .modifiee, contexte: contexte, par: appelant, on: connection)
            }
            try await candidatures.noter(id, "modification", par: appelant, detail: ecarts, on: connection)
        }
        return try await candidature(id, pour: appelant)
    }

    // MARK: Validate

    func valider(_ id: UUID, par appelant: InternalIdentity) async throws -> Candidature {
        guard let apercu = try await candidatures.lire(id) else { throw Self.inconnue(id) }
        let contexte = try await contexte(apercu.session, uais: [apercu.uai])
        try await database.transaction { connection in
            let candidature = try await self.pourAgir(id, appelant, on: connection)
            guard candidature.session == apercu.session, candidature.uai == apercu.uai else { throw Self.concurrente(candidature) }
            switch candidature.etat {
            case .annulee: throw Self.annulee(candidature)
            case .validee, .modifiee:
                throw ServiceError.conflict("candidature.deja_validee", "La candidature n° \(candidature.numero) est déjà validée.")
            case .brouillon: break
            }
            try await self.revalider(candidature, choixValide: nil, etat: .validee, contexte: contexte, par: appelant, on: connection)
            try await candidatures.noter(id, "validation", par: appelant, on: connection)
        }
        return try await candidature(id, pour: appelant)
    }

    /// Checks every rule, stores the computed units, writes the confirmation and the event.
    private func revalider(
        _ candidature: Candidature, choixValide: Choix?, etat: EtatCandidature, contexte: Contexte, par appelant: InternalIdentity,
        on connection: PostgresConnection
    ) async throws {
        let session = contexte.session
        let centre = contexte.centre(candidature.uai)
        let resultat = try await controle(on: connection).validation(
            candidature, session: session, centre: centre, choixValide: choixValide, par: appelant)
        _ = try await candidatures.enregistrerValidation(candidature.id, etat: etat, resultat: resultat, on: connection)
        guard let validee = try await candidatures.lire(candidature.id, on: connection) else { throw Self.inconnue(candidature.id) }
        try await confirmations.generer(validee, session: session, par: appelant.subject, on: connection)
        let etatMessage = try Self.etat(validee, centre: centre)
        if etat == .validee {
            try await outbox.write(CandidatureValidee(etatMessage), aggregate: validee.id.uuidString, on: connection, logger: logger)
        } else {
            try await outbox.write(CandidatureModifiee(etatMessage), aggregate: validee.id.uuidString, on: connection, logger: logger)
        }
    }

    /// Republishes a validated candidature after something outside its form changed (an
    /// aménagement decided): new revision, new confirmation, `candidature.modifiee`.
    func republier(_ id: UUID, contexte: Contexte, par appelant: InternalIdentity, on connection: PostgresConnection) async throws {
        guard let candidature = try await candidatures.lire(id, on: connection, pourModifier: true), candidature.etat.estValidee else { return }
        try await connection.query(SQL.query(
            "UPDATE \(database.table("candidatures")) SET etat = 'modifiee', revision = revision + 1, modifie_le = now() WHERE id = $1", id),
            logger: logger)
        guard let apres = try await candidatures.lire(id, on: connection) else { return }
        let centre = contexte.centre(apres.uai)
        try await confirmations.generer(apres, session: contexte.session, par: appelant.subject, on: connection)
        try await outbox.write(CandidatureModifiee(try Self.etat(apres, centre: centre)), aggregate: id.uuidString, on: connection, logger: logger)
    }

    // MARK: Cancel

    func annuler(_ id: UUID, motif: String, par appelant: InternalIdentity) async throws -> Candidature {
        let motif = motif.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(motif.count) else {
            throw ServiceError.invalid("annulation.motif", "Le motif d'annulation est obligatoire (500 caractères au plus).",
                                       details: [.init(location: "motif", code: "annulation.motif", message: "Le motif d'annulation est obligatoire.")])
        }
        try await database.transaction { connection in
            let candidature = try await self.pourAgir(id, appelant, on: connection)
            guard candidature.etat != .annulee else { throw Self.annulee(candidature) }
            let revision = try await candidatures.enregistrerAnnulation(id, motif: motif, on: connection)
            if candidature.etat.estValidee {
                try await outbox.write(
                    CandidatureAnnulee(id: id, numero: candidature.numero, session: try SessionCode(candidature.session), motif: motif,
                                       annuleePar: appelant.subject, revision: revision),
                    aggregate: id.uuidString, on: connection, logger: logger)
            }
            try await candidatures.noter(id, "annulation", par: appelant, detail: ["motif": .init(avant: nil, apres: motif)], on: connection)
        }
        return try await candidature(id, pour: appelant)
    }

    // MARK: Helpers

    /// The registration rules over this transaction's candidatures.
    func controle(on connection: PostgresConnection) -> ControleCandidature<CandidatureRepository.EnTransaction> {
        ControleCandidature(store: candidatures.dans(connection))
    }

    /// What the rules read from the réglementation copy, loaded BEFORE a transaction opens: a
    /// transaction holds its connection, and borrowing a second one from the pool inside it
    /// deadlocks the pool once as many requests as it has connections do so at once.
    struct Contexte: Sendable {
        var session: SessionInscription
        var centres: [String: CentreInscription]

        /// The centre of `uai` (nil when it is no centre of the session: the rules name the field).
        func centre(_ uai: String?) -> CentreInscription? { uai.flatMap { centres[$0] } }
    }

    func contexte(_ session: String, uais: [String?]) async throws -> Contexte {
        let code = try SessionCode(session)
        let chargee = try await self.session(code)
        let voulus = Array(Set(uais.compactMap { $0 }))
        let centres = voulus.isEmpty ? [] : try await referentiel.centres(session: code, uais: voulus)
        return Contexte(session: chargee, centres: Dictionary(centres.map { ($0.uai, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    static func concurrente(_ c: Candidature) -> ServiceError {
        ServiceError.conflict("candidature.concurrente", "La candidature n° \(c.numero) a changé pendant l'opération : réessayez.")
    }

    /// The candidature locked for a change, when the caller may act on it.
    func pourAgir(_ id: UUID, _ appelant: InternalIdentity, on connection: PostgresConnection) async throws -> Candidature {
        guard let candidature = try await candidatures.lire(id, on: connection, pourModifier: true) else { throw Self.inconnue(id) }
        guard Portee.peutAgir(appelant, candidature) else { throw Portee.refus }
        try await verifierSessionClose(candidature, appelant, ecriture: true)
        return candidature
    }

    static func etat(_ c: Candidature, centre: CentreInscription?) throws -> CandidatureEtat {
        CandidatureEtat(
            id: c.id, numero: c.numero, session: try SessionCode(c.session), candidat: c.candidat.identite, categorie: c.categorie,
            categorieReglementaire: c.categorieReglementaire ?? .individuel,
            etablissement: try centre.map { EtablissementInscription(uai: try UAI($0.uai), nom: $0.nom, gestionAutonome: $0.gestionAutonome) },
            specialite: c.specialite, reglementVersion: c.reglementVersion ?? 0, forme: c.forme, unites: c.unites ?? [],
            amenagements: c.amenagements, consentementPublication: c.consentementPublication, revision: c.revision)
    }

    static func inconnue(_ id: UUID) -> ServiceError {
        ServiceError(.notFound, code: "candidature.inconnue", message: "La candidature \(id.uuidString.lowercased()) n'existe pas.")
    }

    static func annulee(_ c: Candidature) -> ServiceError {
        ServiceError.conflict("candidature.annulee", "La candidature n° \(c.numero) est annulée : elle ne peut plus changer.")
    }
}
