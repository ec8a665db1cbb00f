import Domain
import Foundation
import ServiceKit

/// The rules of assignment to centres épreuve, over whatever keeps the épreuves-candidats:
/// automatic (`AffectationAutomatique` on what is to place, the loads of the sittings without
/// what is placed again), by hand (a candidate's épreuves or a regroupement's, to one centre,
/// refused when its rooms cannot hold them at a sitting). `Affectations` runs them in its
/// transaction, under the session's placement lock, and follows with the `Suites`.
struct AffectationCentres<Store: AffectationStore>: Sendable {
    let store: Store

    typealias EpreuveAPlacer = AffectationRepository.EpreuveAPlacer

    /// What an automatic assignment placed and left out.
    struct Automatique: Sendable {
        var epreuves: [EpreuveAPlacer]
        var candidats: Int
        var resultat: AffectationAutomatique.Resultat
    }

    /// Places the scope (a regroupement, or the whole session): the unplaced épreuves, or all of
    /// them when `reprendre`; records each unplaced candidate's reason on his épreuves.
    func automatique(session code: SessionCode, regroupement: Regroupement?, reprendre: Bool) async throws -> Automatique {
        let centres = try await store.centresEpreuve(session: code, parmi: regroupement?.centres ?? [])
        let epreuves = try await store.aPlacer(session: code.value, regroupement: regroupement?.id, reprendre: reprendre, candidature: nil)
        var charges = try await store.charges(session: code.value)
        // Re-placing: what these épreuves held no longer counts.
        for epreuve in epreuves {
            guard let centre = epreuve.centre, let besoin = charges[centre]?[epreuve.seance] else { continue }
            charges[centre]?[epreuve.seance] = besoin - .candidat(salleSeparee: epreuve.salleSeparee, majoration: epreuve.majoration)
        }
        let candidats = Dictionary(grouping: epreuves, by: \.candidature).values.map { liste in
            let e = liste[0]
            return AffectationAutomatique.Candidat(
                candidature: e.candidature, uai: e.uai, departement: e.departement, salleSeparee: e.salleSeparee,
                majoration: e.majoration, seances: liste.map { ($0.unite, $0.seance) })
        }.sorted { $0.candidature.uuidString < $1.candidature.uuidString }
        let algorithme = AffectationAutomatique(
            centres: centres.map { .init(uai: $0.uai, nom: $0.nom, places: $0.salles.map(\.places)) }, charges: charges)
        // Seconds of CPU for tens of thousands of candidates: off the cooperative pool.
        let resultat = try await BlockingWork.run {
            var algorithme = algorithme
            return algorithme.executer(candidats)
        }
        let centreDe = Dictionary(resultat.placements.map { ($0.candidature, $0.centre) }, uniquingKeysWith: { a, _ in a })
        try await store.placer(
            epreuves.compactMap { e in centreDe[e.candidature].map { (e.candidature, e.unite, $0) } },
            regroupement: regroupement?.id, origine: "automatique")
        let motifDe = Dictionary(resultat.nonPlaces.map { ($0.candidature, $0.motif) }, uniquingKeysWith: { a, _ in a })
        try await store.nonPlacees(epreuves.compactMap { e in motifDe[e.candidature].map { (e.candidature, e.unite, $0) } })
        return Automatique(epreuves: epreuves, candidats: candidats.count, resultat: resultat)
    }

    /// Places the ponctual épreuves of a candidate (all, or `unites`) in `centre`, if its rooms
    /// can hold him at each sitting. Returns the épreuves placed.
    func candidat(session code: SessionCode, candidature: UUID, centre uai: String, unites: [String]?) async throws -> [EpreuveAPlacer] {
        let toutes = try await store.aPlacer(session: code.value, regroupement: nil, reprendre: true, candidature: candidature)
        guard !toutes.isEmpty else {
            throw ServiceError.notFound("La candidature \(candidature.uuidString.lowercased()) n'a pas d'épreuve ponctuelle à placer dans la session \(code.value).")
        }
        var epreuves = toutes
        if let unites {
            if let manquante = unites.first(where: { u in !toutes.contains { $0.unite == u } }) {
                throw ServiceError.invalid("affectation.unite", "L'unité \(manquante) n'est pas une épreuve ponctuelle de ce candidat.",
                                           details: [.init(location: "unites", code: "affectation.unite", message: "Unité \(manquante) inconnue pour ce candidat.")])
            }
            epreuves = toutes.filter { unites.contains($0.unite) }
        }
        try await placerSousCapacite(epreuves, centre: uai, session: code, regroupement: nil)
        return epreuves
    }

    /// Every épreuve-candidat of a regroupement to one centre, if its rooms hold them all.
    /// Returns the épreuves placed.
    func regroupement(_ regroupement: Regroupement, centre uai: String) async throws -> [EpreuveAPlacer] {
        let code = try SessionCode(regroupement.session)
        let epreuves = try await store.aPlacer(session: code.value, regroupement: regroupement.id, reprendre: true, candidature: nil)
        guard !epreuves.isEmpty else {
            throw ServiceError.conflict("regroupement.vide", "Le regroupement « \(regroupement.libelle) » ne contient aucune épreuve ponctuelle à placer.")
        }
        if !regroupement.centres.isEmpty && !regroupement.centres.contains(uai) {
            throw ServiceError.invalid("affectation.centre", "Le centre \(uai) ne fait pas partie des centres du regroupement « \(regroupement.libelle) ».",
                                       details: [.init(location: "centre", code: "affectation.centre", message: "Centre hors du regroupement.")])
        }
        try await placerSousCapacite(epreuves, centre: uai, session: code, regroupement: regroupement.id)
        return epreuves
    }

    private func placerSousCapacite(_ epreuves: [EpreuveAPlacer], centre uai: String, session code: SessionCode, regroupement: UUID?) async throws {
        guard let centre = try await store.centre(uai, session: code), centre.estCentreEpreuve else {
            throw ServiceError.invalid("affectation.centre", "L'établissement \(uai) n'est pas un centre d'épreuve de la session \(code.value).",
                                       details: [.init(location: "centre", code: "affectation.centre", message: "Pas un centre d'épreuve de la session.")])
        }
        var charges = try await store.charges(session: code.value)[uai] ?? [:]
        for e in epreuves {
            let besoin = Besoin.candidat(salleSeparee: e.salleSeparee, majoration: e.majoration)
            if e.centre != uai { charges[e.seance, default: Besoin()] = charges[e.seance, default: Besoin()] + besoin }
        }
        for (seance, besoin) in charges.sorted(by: { $0.key < $1.key }) where epreuves.contains(where: { $0.seance == seance }) {
            if case .failure(let refus) = Repartition.calculer(places: centre.salles.map(\.places), besoin: besoin) {
                throw ServiceError.conflict(
                    "affectation.capacite",
                    "Le centre \(centre.nom) (\(uai)) ne peut pas accueillir ces candidats à la séance du \(AffectationAutomatique.seance(seance)) — \(refus.message).")
            }
        }
        try await store.placer(epreuves.map { ($0.candidature, $0.unite, uai) }, regroupement: regroupement, origine: "manuel")
    }
}
