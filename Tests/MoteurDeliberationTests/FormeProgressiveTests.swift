import Domain
import MoteurDeliberation
import Testing

@Suite("Forme progressive sur deux sessions (D337-95 à 124 : décision quand la dernière unité est passée)")
struct FormeProgressiveTests {
    /// June 2027: UP1, UP3, UG4 sat; UP2 and UG5 left for June 2028.
    private func juin2027() throws -> Deliberation {
        try deliberer(Baremes.artsDeLaCuisine, .progressive, [.n("UP1", 1200), .n("UP3", 800), .n("UG4", 1100)])
    }

    @Test("June 2027: en cours, units kept and reportable with their 5 years")
    func premiereSession() throws {
        let d = try juin2027()
        #expect(d.decision == .enCours)
        #expect(d.moyenne == nil)
        #expect(d.acquis.map(\.unite) == ["UP1", "UG4"])
        #expect(d.acquis.allSatisfy { $0.valableJusquAu == (try? Jour(2032, 7, 2)) && $0.session.value == "BP-2027-06-N" })
        #expect(d.reportables.map(\.unite) == ["UP3"])
        #expect(d.attestationDeReussite)
        #expect(d.unites.first { $0.unite == "UP2" }?.statut == .nonPassee)
    }

    @Test("June 2028: the rest sat, the 2027 grades carried (UP3 < 10 included): admis on the whole")
    func secondeSession() throws {
        let premiere = try juin2027()
        let situation = Situation(
            candidat: "0042", forme: .progressive, session: try Sessions.juin2028(),
            resultats: premiere.aReporter + [try Resultat.note("UP2", 1050), try Resultat.note("UG5", 900)])
        let d = try Moteur.deliberer(situation, selon: Baremes.artsDeLaCuisine)
        // 12×4 + 10,5×12 + 8×5 + 11×3 + 9×3 = 274 points / 27.
        #expect(d.decision == .admis)
        #expect(d.moyenne?.valeur.description == "274/27")
        #expect(d.moyenne?.affichage == "10,14")
        let statuts = Dictionary(uniqueKeysWithValues: d.unites.map { ($0.unite, $0.statut) })
        #expect(statuts == ["UP1": .beneficeReporte, "UP2": .obtenue, "UP3": .noteReportee, "UG4": .beneficeReporte, "UG5": .nonObtenue])
        let texte = d.explication.joined(separator: "\n")
        #expect(texte.contains("UP3 Gestion de l'activité : 8,00 × 5 = 40,00 points ; note < 10 reportée de la session BP-2027-06-N (obtenue le 02/07/2027, valable jusqu'au 02/07/2032)"))
        #expect(texte.contains("Décision : admis — moyenne ≥ 10"))
        #expect(d.acquis.isEmpty && d.reportables.isEmpty && !d.attestationDeReussite)
    }

    @Test("June 2028, UP3 sat again at 7: the latest grade counts, ajourné at 269/27, 9 hundredths of jury on UP2")
    func uniteRepassee() throws {
        let premiere = try juin2027()
        let situation = Situation(
            forme: .progressive, session: try Sessions.juin2028(),
            resultats: premiere.aReporter + [try Resultat.note("UP2", 1050), try Resultat.note("UG5", 900), try Resultat.note("UP3", 700)])
        let d = try Moteur.deliberer(situation, selon: Baremes.artsDeLaCuisine)
        #expect(d.decision == .ajourne)
        #expect(d.moyenne?.valeur.description == "269/27")
        #expect(d.moyenne?.affichage == "9,96")
        #expect(d.pointsDeJury?.unite == "UP2")
        #expect(d.pointsDeJury?.centiemes == 9)
        #expect(d.explication.contains { $0.contains("remplace la note 8,00 de la session BP-2027-06-N (la dernière note compte)") })
        // Still kept for later: the 2027 bénéfices (their own limit) and this session's ≥ 10.
        #expect(d.acquis.map(\.unite) == ["UP1", "UP2", "UG4"])
        #expect(d.reportables.map(\.unite) == ["UP3", "UG5"])
    }
}
