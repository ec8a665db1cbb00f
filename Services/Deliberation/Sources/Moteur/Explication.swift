import Domain

extension Moteur {
    /// The reasoning in French, one sentence a line: the candidate, each unit, the average, the
    /// decision and its motive, then what he keeps and what he may do next.
    static func explication(_ situation: Situation, _ bareme: Bareme, _ resultat: Deliberation, motif: String) -> [String] {
        var lignes: [String] = []
        let qui = situation.candidat.isEmpty ? "Candidat" : "Candidat \(situation.candidat)"
        lignes.append("\(qui) — spécialité \(bareme.specialite), \(situation.session.code.libelle), \(situation.forme.libelle), "
            + "délibération du \(situation.session.date.affichage)")
        lignes += resultat.unites.map(\.explication)
        if let moyenne = resultat.moyenne {
            let comparaison = moyenne.atteintDix ? "≥ 10" : "< 10"
            let facultative = resultat.unites.first(where: { $0.facultative && $0.points > 0 })
                .map { " (dont \(ecrirePoints($0.points)) de l'épreuve facultative \($0.unite))" } ?? ""
            lignes.append("Moyenne : \(moyenne.affichagePoints) points\(facultative) / \(moyenne.coefficients) = "
                + "\(moyenne.affichage) (valeur exacte \(moyenne.valeur), tronquée à deux décimales) \(comparaison)")
        }
        lignes.append("Décision : \(resultat.decision.libelle) — \(motif)")
        if let points = resultat.pointsDeJury {
            lignes.append("Points de jury : \(points.explication)")
        } else if resultat.decision == .ajourne, resultat.moyenne != nil {
            lignes.append("Points de jury : aucune hausse d'une seule note de cette session ne suffit à atteindre 10")
        }
        for acquis in resultat.acquis {
            lignes.append("Acquise : \(acquis.unite) (\(acquis.note.affichage), session \(acquis.session)), "
                + "conservée jusqu'au \(acquis.valableJusquAu.affichage)")
        }
        for report in resultat.reportables {
            lignes.append("Reportable : \(report.unite) (\(report.note.affichage) < 10, session \(report.session)), "
                + "peut être reportée jusqu'au \(report.valableJusquAu.affichage) ou présentée à nouveau")
        }
        if resultat.attestationDeReussite {
            lignes.append("Attestation de réussite due pour les unités obtenues")
        }
        if resultat.sessionDeRemplacement {
            lignes.append("Session de remplacement possible : absence justifiée à \(resultat.unitesARemplacer.joined(separator: ", "))")
        }
        return lignes
    }
}
