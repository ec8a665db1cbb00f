import Domain
import Foundation
import MoteurDeliberation
import Testing

@Suite("Moyenne exacte, affichage tronqué, dates, JSON")
struct MoyenneTests {
    @Test("display truncates, never rounds up", arguments: [
        (27999, 28, "9,99", "27999/2800"), (28000, 28, "10,00", "10/1"), (29999, 3, "99,99", "29999/300"),
        (2999, 3, "9,99", "2999/300"), (1, 3, "0,00", "1/300"), (0, 5, "0,00", "0/1"), (20000, 10, "20,00", "20/1"),
    ])
    func troncature(_ points: Int, _ coefficients: Int, _ affichage: String, _ exacte: String) throws {
        let moyenne = try #require(Moyenne(points: points, coefficients: coefficients))
        #expect(moyenne.affichage == affichage)
        #expect(moyenne.valeur.description == exacte)
    }

    @Test("comparison with 10 is exact")
    func comparaison() throws {
        #expect(try #require(Moyenne(points: 28000, coefficients: 28)).atteintDix)
        #expect(!(try #require(Moyenne(points: 27999, coefficients: 28)).atteintDix))
        #expect(try #require(Moyenne(points: 9999, coefficients: 1)) < (try #require(Moyenne(points: 10000, coefficients: 1))))
        #expect(Moyenne(points: 1, coefficients: 0) == nil)
        #expect(Rationnel(1, sur: 0) == nil)
        #expect(Rationnel(6, sur: 4)?.description == "3/2")
    }

    @Test("5 years later; 29 February becomes 28 February")
    func cinqAns() throws {
        #expect(try Jour(2027, 7, 2).ajoutantAnnees(5) == (try Jour(2032, 7, 2)))
        #expect(try Jour(2028, 2, 29).ajoutantAnnees(5) == (try Jour(2033, 2, 28)))
        #expect(try Jour(2098, 1, 1).ajoutantAnnees(5) == (try Jour(2099, 12, 31)))
        #expect(try Jour(iso: "2027-07-02").affichage == "02/07/2027")
        #expect(throws: DomainError.self) { try Jour(iso: "2027-7-2") }
    }

    @Test("a situation and a deliberation go through JSON unchanged")
    func json() throws {
        let situation = Situation(
            candidat: "0042", forme: .progressive, session: try Sessions.juin2027(),
            resultats: try [R.n("U10", 1250), .abj("U20"), .disp("U30"), .ant("U41", 800, "BP-2026-06-N", "2026-07-03"), .n("UF1", 1500)]
                .map { try $0.resultat() })
        let encodee = try JSONEncoder().encode(situation)
        #expect(try JSONDecoder().decode(Situation.self, from: encodee) == situation)
        let resultat = try Moteur.deliberer(situation, selon: Baremes.boulanger)
        #expect(try JSONDecoder().decode(Deliberation.self, from: try JSONEncoder().encode(resultat)) == resultat)
        let bareme = try JSONEncoder().encode(Baremes.coiffure)
        #expect(try JSONDecoder().decode(Bareme.self, from: bareme) == Baremes.coiffure)
    }
}
