import Domain
import Foundation
import ServiceKit

/// The registration rules of a candidature that look beyond its form, over whatever keeps the
/// candidatures: one BP per candidate and session, the probable duplicate (a homonym only the
/// gestionnaire may accept), the pieces a dispense needs, then every rule of `ReglesInscription`.
/// `Inscriptions` runs them inside the transaction of the change.
struct ControleCandidature<Store: CandidatureStore>: Sendable {
    let store: Store

    /// Before a brouillon is written, its candidat known: returns the numéro of the candidature
    /// whose homonym the gestionnaire accepts, if any.
    func creation(candidat id: UUID, _ candidat: Candidat, session: SessionCode, accepterHomonyme: Bool, par appelant: InternalIdentity) async throws -> String? {
        if let autre = try await store.autreCandidature(candidat: id, session: session.value, sauf: nil) {
            throw Self.uneSeuleSpecialite(autre, session: session, pour: appelant)
        }
        guard let numero = try await store.homonyme(cle: candidat.cleIdentite, candidat: id, session: session.value) else { return nil }
        guard appelant.role == .gestionnaire && accepterHomonyme else { throw Self.doublon(numero, candidat, pour: appelant) }
        return numero
    }

    /// At validation and at each change of a validated candidature (`choixValide`: the choices
    /// validated before): what validation computes, or every refusal with its field.
    func validation(
        _ candidature: Candidature, session: SessionInscription, centre: CentreInscription?, choixValide: Choix?, par appelant: InternalIdentity
    ) async throws -> ReglesInscription.Resultat {
        if let autre = try await store.autreCandidature(candidat: candidature.candidatId, session: candidature.session, sauf: candidature.id) {
            throw Self.uneSeuleSpecialite(autre, session: session.code, pour: appelant)
        }
        if candidature.homonymeAccepte == nil,
           let numero = try await store.homonyme(cle: candidature.candidat.cleIdentite, candidat: candidature.candidatId, session: candidature.session)
        {
            throw Self.doublon(numero, candidature.candidat, pour: appelant)
        }
        let regles = ReglesInscription(
            session: session, candidat: candidature.candidat, choix: candidature.choix, centre: centre, appelant: appelant,
            piecesValables: try await store.piecesValables(candidature.id), choixValide: choixValide)
        return try regles.verifier()
    }

    /// The refusals name another person's candidature (numéro, spécialité) to the gestionnaire
    /// only: anyone else learns the rule, not who is registered.
    static func uneSeuleSpecialite(_ autre: (numero: String, specialite: String), session: SessionCode, pour appelant: InternalIdentity) -> ServiceError {
        let detail = appelant.role == .gestionnaire ? " (n° \(autre.numero), spécialité \(autre.specialite))" : ""
        return ServiceError.invalid(
            "candidature.specialite_unique",
            "Ce candidat a déjà une candidature pour la session \(session.value)\(detail) : un seul BP par candidat et par session.",
            details: [.init(location: "specialite", code: "candidature.specialite_unique", message: "Un seul BP par candidat et par session.")])
    }

    static func doublon(_ numero: String, _ candidat: Candidat, pour appelant: InternalIdentity) -> ServiceError {
        guard appelant.role == .gestionnaire else {
            return ServiceError.invalid(
                "candidature.doublon",
                "Doublon probable : une candidature de la session porte déjà ces nom, prénom et date de naissance. S'il s'agit d'une autre personne, le gestionnaire peut l'accepter.",
                details: [.init(location: "candidat", code: "candidature.doublon", message: "Même nom, prénom et date de naissance qu'une autre candidature de la session.")])
        }
        return ServiceError.invalid(
            "candidature.doublon",
            "Doublon probable : la candidature n° \(numero) porte déjà le nom \(candidat.nomFamille.uppercased()), le prénom et la date de naissance \(DateFrancaise.jour(candidat.dateNaissance)). S'il s'agit d'une autre personne, le gestionnaire peut l'accepter.",
            details: [.init(location: "candidat", code: "candidature.doublon", message: "Même nom, prénom et date de naissance que la candidature n° \(numero).")])
    }
}
