import Contracts
import Domain
import Foundation
import MoteurDeliberation
import Referentiel

/// Every candidate of a session deliberated now by the engine, under the session's published
/// règlement, without deciding anything: what the preparation reads (missing grades,
/// statistics before the jury) and what the projected deliberation starts from.
struct Projection: Sendable {
    let referentiel: ReferentielReglementation
    let dossiers: DossierRepository

    struct Ligne: Sendable {
        var dossier: Dossier
        /// nil when the engine refused the situation (`erreur` says why).
        var deliberation: Deliberation?
        var manques: [Dossier.Manque]
        var erreur: String?
        var interventions: [Intervention] = []
        /// Raised to admis by the jury.
        var decisionDuJury = false

        /// Decided by the rules: not waiting for grades, not refused by the engine.
        var complet: Bool { manques.isEmpty && erreur == nil && deliberation?.decision != .incomplet }
    }

    /// The candidates of `session` (of `specialite`, of `ids` when given) at the deliberation day
    /// `date`, with the jury's interventions applied.
    func projeter(
        session: SessionCode, specialite: String? = nil, ids: [UUID]? = nil, date: Jour,
        interventions: [UUID: [Intervention]] = [:]
    ) async throws -> [Ligne] {
        guard let reglement = try await referentiel.session(session)?.reglement else { return [] }
        var baremes: [String: Bareme] = [:]
        for offerte in reglement.specialites { baremes[offerte.reglement.specialite] = BaremeDuReglement.bareme(offerte) }
        let jour = SessionDeliberee(code: session, date: date)
        return try await dossiers.dossiers(session: session, specialite: specialite, ids: ids).map { dossier in
            var (situation, manques) = dossier.situation(jour)
            let siennes = interventions[dossier.id] ?? []
            Intervention.appliquer(siennes, a: &situation)
            guard let bareme = baremes[dossier.specialite] else {
                return Ligne(dossier: dossier, deliberation: nil, manques: manques,
                             erreur: "La spécialité \(dossier.specialite) n'est pas au règlement publié de la session.")
            }
            do throws(DomainError) {
                let (deliberation, decisionDuJury) = Intervention.conclure(
                    try Moteur.deliberer(situation, selon: bareme), siennes, notes: dossier.notes)
                return Ligne(dossier: dossier, deliberation: deliberation, manques: manques, erreur: nil,
                             interventions: siennes, decisionDuJury: decisionDuJury)
            } catch {
                return Ligne(dossier: dossier, deliberation: nil, manques: manques, erreur: error.message, interventions: siennes)
            }
        }
    }
}
