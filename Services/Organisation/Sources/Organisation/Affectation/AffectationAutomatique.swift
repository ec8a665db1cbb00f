import Domain
import Foundation

/// The automatic assignment of candidates to centres épreuve: every ponctual épreuve of a
/// candidate in one centre; the candidates of one établissement together where a centre can take
/// them all (their own établissement first when it is a centre, then a centre of their
/// département, then the least loaded); a sitting (centre, date and time) never holds more than
/// its rooms can seat, separate rooms and extra-time rooms included (`Repartition`). What it
/// cannot place comes back with its reason. Pure computation: the repository loads and writes.
struct AffectationAutomatique: Sendable {
    struct Centre: Sendable {
        var uai: String
        var nom: String
        /// Seats of its rooms, in its order.
        var places: [Int]
        var departement: String { String(uai.prefix(3)) }
        var capacite: Int { places.reduce(0, +) }
    }

    /// One candidate and the épreuves of his to place (each with the sitting it falls in).
    struct Candidat: Sendable {
        var candidature: UUID
        var uai: String?
        var departement: String?
        var salleSeparee: Bool
        var majoration: Int
        /// Unit code → sitting key (`YYYY-MM-DDTHH:MM`, or `SPECIALITE/UNITE` while undated).
        var seances: [(unite: String, seance: String)]
        var besoin: Besoin { .candidat(salleSeparee: salleSeparee, majoration: majoration) }
        /// Candidates of one établissement go together; a candidat individuel is a group of one.
        var groupe: String { uai ?? "individuel:\(candidature.uuidString)" }
    }

    struct Resultat: Sendable {
        var placements: [(candidature: UUID, centre: String)] = []
        var nonPlaces: [(candidature: UUID, motif: String)] = []
        /// Groups (établissements) split over several centres.
        var groupesScindes = 0
    }

    let centres: [Centre]
    /// What the sittings of each centre already hold (placements outside this run).
    var charges: [String: [String: Besoin]]

    init(centres: [Centre], charges: [String: [String: Besoin]]) {
        self.centres = centres
        self.charges = charges
    }

    /// Most seats used at any sitting of the centre.
    private func chargeMax(_ uai: String) -> Int { charges[uai]?.values.map(\.total).max() ?? 0 }

    /// Once `ajout` is added: the fewest ordinary seats left at its sittings, and the most seats
    /// lost beyond the candidates themselves (a room given to one separate-room or extra-time
    /// candidate); nil when the centre cannot take it.
    private func effet(_ centre: Centre, _ ajout: [String: Besoin]) -> (reste: Int, perte: Int)? {
        let actuelles = charges[centre.uai] ?? [:]
        var reste = Int.max, perte = 0
        for (seance, besoin) in ajout {
            let avant = actuelles[seance] ?? Besoin()
            guard let apres = Repartition.placesLibres(places: centre.places, besoin: avant + besoin) else { return nil }
            let libresAvant = Repartition.placesLibres(places: centre.places, besoin: avant) ?? 0
            reste = min(reste, apres)
            perte = max(perte, libresAvant - apres - besoin.ordinaires)
        }
        return (reste, perte)
    }

    /// Seats a placement may waste before a farther centre is preferred to a nearer one.
    static let perteAdmise = 10

    /// Among the centres that can take `ajout`: one that wastes few seats, of best rank (lower
    /// first), leaving the most seats.
    private func meilleur(_ centres: [Centre], _ ajout: [String: Besoin], rang: (Centre) -> Int) -> Centre? {
        var choix: (cle: (Int, Int, Int), centre: Centre)?
        for centre in centres {
            guard let e = effet(centre, ajout) else { continue }
            let cle = (e.perte > Self.perteAdmise ? 1 : 0, rang(centre), -e.reste)
            if let c = choix, cle > c.cle || (cle == c.cle && centre.uai >= c.centre.uai) { continue }
            choix = (cle, centre)
        }
        return choix?.centre
    }

    private mutating func ajouter(_ centre: Centre, _ ajout: [String: Besoin]) {
        for (seance, besoin) in ajout { charges[centre.uai, default: [:]][seance, default: Besoin()] = (charges[centre.uai]?[seance] ?? Besoin()) + besoin }
    }

    private static func besoins(_ candidats: [Candidat]) -> [String: Besoin] {
        var total: [String: Besoin] = [:]
        for candidat in candidats {
            for seance in Set(candidat.seances.map(\.seance)) { total[seance, default: Besoin()] = total[seance, default: Besoin()] + candidat.besoin }
        }
        return total
    }

    /// Own établissement first (it is a centre), then a centre of the same département, then any.
    private static func rang(_ centre: Centre, uai: String?, departement: String?) -> Int {
        centre.uai == uai ? 0 : (departement != nil && centre.departement == departement ? 1 : 2)
    }

    mutating func executer(_ candidats: [Candidat]) -> Resultat {
        var resultat = Resultat()
        let aPlacer = candidats.filter { !$0.seances.isEmpty }
        guard !centres.isEmpty else {
            resultat.nonPlaces = aPlacer.map { ($0.candidature, "aucun centre d'épreuve disponible (aucun centre déclaré avec le rôle épreuve, ou aucun parmi ceux du regroupement)") }
            return resultat
        }
        // Largest établissements first: they are the hardest to keep together.
        var groupes: [[Candidat]] = Array(Dictionary(grouping: aPlacer, by: \.groupe).values)
        groupes.sort { (a: [Candidat], b: [Candidat]) -> Bool in
            if a.count != b.count { return a.count > b.count }
            return a[0].groupe < b[0].groupe
        }
        for groupe in groupes {
            let premier = groupe[0]
            let rang = { (c: Centre) in Self.rang(c, uai: premier.uai, departement: premier.departement) }
            let ajout = Self.besoins(groupe)
            if let centre = meilleur(centres, ajout, rang: rang) {
                ajouter(centre, ajout)
                resultat.placements += groupe.map { ($0.candidature, centre.uai) }
                continue
            }
            // No centre takes them all: one by one, the most constrained first, into the centres
            // this group already uses, then the others.
            var utilises: [String] = []
            func contrainte(_ c: Candidat) -> Int { c.salleSeparee ? 0 : (c.majoration > 0 ? 1 : 2) }
            let parContrainte = groupe.sorted { contrainte($0) < contrainte($1) }
            for candidat in parContrainte {
                let ajout = Self.besoins([candidat])
                if let centre = meilleur(centres, ajout, rang: { utilises.contains($0.uai) ? 0 : 1 + rang($0) }) {
                    ajouter(centre, ajout)
                    if !utilises.contains(centre.uai) { utilises.append(centre.uai) }
                    resultat.placements.append((candidat.candidature, centre.uai))
                } else {
                    resultat.nonPlaces.append((candidat.candidature, motif(candidat, ajout)))
                }
            }
            if utilises.count > 1 { resultat.groupesScindes += 1 }
        }
        return resultat
    }

    /// Why no centre takes this candidate: the refusal of the least loaded centre at the first
    /// sitting that does not fit.
    private func motif(_ candidat: Candidat, _ ajout: [String: Besoin]) -> String {
        let centre = centres.max { ($0.capacite - chargeMax($0.uai), $1.uai) < ($1.capacite - chargeMax($1.uai), $0.uai) }!
        for (unite, seance) in candidat.seances.sorted(by: { $0.seance < $1.seance }) {
            let besoin = (charges[centre.uai]?[seance] ?? Besoin()) + (ajout[seance] ?? Besoin())
            if case .failure(let refus) = Repartition.calculer(places: centre.places, besoin: besoin) {
                return "aucun des \(centres.count) centre(s) d'épreuve ne peut l'accueillir pour l'unité \(unite) (\(Self.seance(seance))) — au moins chargé, \(centre.nom) (\(centre.uai)) : \(refus.message)"
            }
        }
        return "aucun des \(centres.count) centre(s) d'épreuve ne peut l'accueillir"
    }

    /// `2027-06-09T09:00` → `09/06/2027 à 09:00`; an undated sitting says so.
    static func seance(_ cle: String) -> String {
        DateFrancaise.seance(cle) ?? "date non fixée"
    }
}
