import Domain

extension Moteur {
    /// The smallest raise of one grade of this session that brings the average to 10, exactly.
    ///
    /// With a deficit `Δ = 1000 × Σcoef − points` (hundredths × coefficients), raising a
    /// compulsory unit of coefficient c by d adds c·d, so d = ⌈Δ / c⌉; raising the facultative
    /// grade f by d adds only what goes above 10, so d = max(f, 1000) + Δ − f. The new grade
    /// must stay ≤ 20. Only grades given at this session can be raised (not a carried grade, not
    /// an ABJ's 0). Ties: the larger coefficient, then the unit code, so that the answer never
    /// depends on the order of the input.
    static func pointsDeJury(_ lignes: [LigneUnite], _ moyenne: Moyenne) -> PointsDeJury? {
        let deficit = 1000 * moyenne.coefficients - moyenne.points
        guard deficit > 0 else { return nil }
        var meilleur: (points: PointsDeJury, coefficient: Int)?
        for ligne in lignes where [.obtenue, .nonObtenue].contains(ligne.statut) {
            guard let note = ligne.note else { continue }
            let hausse: Int
            if ligne.facultative {
                hausse = max(note.valeur, 1000) + deficit - note.valeur
            } else {
                guard let coefficient = ligne.coefficient, coefficient > 0 else { continue }
                hausse = (deficit + coefficient - 1) / coefficient
            }
            guard let necessaire = try? Centiemes(note.valeur + hausse) else { continue }
            let gain = ligne.facultative
                ? max(0, necessaire.valeur - 1000) - max(0, note.valeur - 1000)
                : hausse * (ligne.coefficient ?? 0)
            guard let nouvelle = Moyenne(points: moyenne.points + gain, coefficients: moyenne.coefficients) else { continue }
            let candidat = PointsDeJury(
                unite: ligne.unite, centiemes: hausse, noteActuelle: note, noteNecessaire: necessaire, moyenneObtenue: nouvelle)
            let poids = ligne.facultative ? 0 : (ligne.coefficient ?? 0)
            if let actuel = meilleur {
                let mieux = (hausse, -poids, ligne.unite) < (actuel.points.centiemes, -actuel.coefficient, actuel.points.unite)
                if mieux { meilleur = (candidat, poids) }
            } else {
                meilleur = (candidat, poids)
            }
        }
        return meilleur?.points
    }
}
