import AMQP
import Domain
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// Grade entry as the API does it: check who asks and what they send against the lot, put one
/// command on the work queue (confirmed by the broker), optionally wait for a worker to store it.
struct Saisies: Sendable {
    let lots: LotRepository
    let envoi: EnvoiSaisies
    let attente: Attente
    let horloge: Horloge

    var database: Database { lots.database }

    /// At most this many grades per command (a lot is 50 copies, a slip a few hundred).
    static let lignesMaximum = 1_000
    /// A portal waits at most this long for its "enregistré".
    static let attenteMaximale = Duration.seconds(10)

    struct Corps: Decodable, Sendable {
        struct Ligne: Decodable, Sendable {
            var copie: String
            var note: String
        }
        /// The client's own command id, to resend safely after a failure (else one is made).
        var commande: UUID?
        var notes: [Ligne]
    }

    struct Reponse: ResponseEncodable, Sendable {
        var commande: UUID
        /// `acceptee` (on the queue, not yet stored), `enregistree`, or `refusee`.
        var statut: String
        var appliquees: Int?
        var ignorees: Int?
        var message: String?
    }

    func lot(_ id: UUID) async throws -> LotEtat? {
        try await lots.etatEnCache(id)
    }

    /// Validates the whole command (nothing partial: one bad line refuses it, every bad line
    /// named) and builds it.
    func commande(_ corps: Corps, lot: LotEtat, par appelant: InternalIdentity) throws(ServiceError) -> CommandeSaisie {
        try Habilitation.verifierSaisie(appelant, lot)
        var v = Verification()
        if corps.notes.isEmpty { v.erreur("notes", "saisie.vide", "Aucune note à enregistrer.") }
        if corps.notes.count > Self.lignesMaximum {
            v.erreur("notes", "saisie.trop_grande", "Au plus \(Self.lignesMaximum) notes par envoi (reçu \(corps.notes.count)).")
        }
        let pas: PasDeNotation = (try? PasDeNotation(centiemes: lot.pas)) ?? .quart
        var vues = Set<String>()
        var lignes: [CommandeSaisie.Ligne] = []
        lignes.reserveCapacity(corps.notes.count)
        for (index, ligne) in corps.notes.enumerated() {
            // Swift's own trimming: Foundation's `trimmingCharacters` bridges through NSString,
            // a measurable cost at thousands of lines per second.
            var copie = String(ligne.copie.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if !lot.copies.contains(copie) { copie = copie.uppercased() }
            guard lot.copies.contains(copie) else {
                v.erreur("notes[\(index)].copie", "saisie.copie_hors_lot", "La copie « \(ligne.copie) » n'appartient pas à ce lot.")
                continue
            }
            guard vues.insert(copie).inserted else {
                v.erreur("notes[\(index)].copie", "saisie.copie_en_double", "La copie \(copie) figure deux fois dans l'envoi.")
                continue
            }
            do {
                let note = try Note.parse(ligne.note, pas: pas)
                guard note != .nonSaisie else {
                    v.erreur("notes[\(index)].note", "saisie.nn", "Copie \(copie) : « NN » (non saisie) ne s'enregistre pas ; laissez la case vide.")
                    continue
                }
                lignes.append(.init(copie: copie, note: note.canonique))
            } catch {
                v.erreur("notes[\(index)].note", error.code, "Copie \(copie) : \(error.message)")
            }
        }
        if v.details.count > 1 {
            throw ServiceError.invalid(
                "saisie.invalide", "Aucune note enregistrée : \(v.details.count) lignes sont à corriger (voir le détail).", details: v.details)
        }
        try v.verifier()
        return CommandeSaisie(
            id: corps.commande ?? UUID(), lot: lot.id, revision: horloge.suivante(), par: appelant.subject,
            role: appelant.role.rawValue, source: Habilitation.source(appelant.role), lignes: lignes)
    }

    /// Publishes the command (confirmed) and waits up to `attendre` for its outcome. A `renvoi`
    /// (the client named its own command id) that was already handled is answered from the
    /// record without publishing again — if it says the same; with other grades it is a
    /// conflict, never « enregistrée » (the first content is what was applied).
    func soumettre(_ commande: CommandeSaisie, attendre: Duration, renvoi: Bool = false) async throws -> Reponse {
        if renvoi, let reponse = try await dejaTraitee(commande) { return reponse }
        let reponse = try await publier(commande, attendre: attendre)
        // Sent twice at once with other grades, the other send may have been handled under this
        // id (the workers' inbox then dropped this one): the record says which.
        if renvoi, reponse.statut != "acceptee" { return try await dejaTraitee(commande) ?? reponse }
        return reponse
    }

    /// The recorded outcome of a resent command with the same content; a conflict if its
    /// content differs; nil if it was not handled yet.
    private func dejaTraitee(_ commande: CommandeSaisie) async throws -> Reponse? {
        let repository = SaisieRepository(database: database)
        guard let trace = try await repository.lotDeCommande(commande.id) else { return nil }
        let empreinte = try await repository.empreinte(commande.id)
        guard trace.lot == commande.lot, trace.par == commande.par, empreinte == nil || empreinte == commande.empreinte else {
            throw ServiceError.conflict(
                "saisie.commande_reutilisee",
                "Cette commande (\(commande.id.uuidString.lowercased())) a déjà été reçue avec d'autres notes : cet envoi n'a pas été enregistré. Envoyez la correction sous un nouvel identifiant de commande (ou sans identifiant).")
        }
        return try await resultat(commande.id)
    }

    private func publier(_ commande: CommandeSaisie, attendre: Duration) async throws -> Reponse {
        let message = try commande.message()
        func envoyer() async throws {
            do {
                try await envoi.envoyer(message)
            } catch {
                throw ServiceError(
                    .serviceUnavailable, code: "saisie.indisponible",
                    message: "Les notes n'ont pas pu être prises en compte (file de saisie indisponible). Renvoyez-les : rien n'a été enregistré deux fois.")
            }
        }
        guard attendre > .zero else {
            try await envoyer()
            return Reponse(commande: commande.id, statut: "acceptee")
        }
        if let resultat = try await attente.attendre(commande.id, delai: attendre, apres: envoyer) {
            return try await reponse(resultat)
        }
        return try await self.resultat(commande.id) ?? Reponse(commande: commande.id, statut: "acceptee")
    }

    private func reponse(_ resultat: ResultatCommande) async throws -> Reponse {
        if resultat.statut == "refusee" { return try await self.resultat(resultat.commande) ?? Reponse(commande: resultat.commande, statut: "refusee") }
        return Reponse(commande: resultat.commande, statut: resultat.statut, appliquees: resultat.appliquees, ignorees: resultat.ignorees)
    }

    /// The recorded outcome of a command, nil while it is still on the queue.
    func resultat(_ id: UUID) async throws -> Reponse? {
        try await SaisieRepository(database: database).resultat(id).map {
            Reponse(commande: id, statut: $0.statut, appliquees: $0.appliquees, ignorees: $0.ignorees, message: $0.message)
        }
    }

    /// Who may read a command's outcome: the one who sent it, or the gestionnaire.
    func lotDeCommande(_ id: UUID) async throws -> (lot: UUID, par: String)? {
        try await SaisieRepository(database: database).lotDeCommande(id)
    }
}
