import Domain
import Foundation
import MoteurDeliberation
import Testing

@Suite("Entrées invalides : une erreur en français, jamais un arrêt")
struct ErreursTests {
    private func refus(_ bareme: Bareme = Baremes.boulanger, _ forme: Forme = .globale, _ resultats: () throws -> [Resultat]) -> DomainError? {
        do {
            let situation = Situation(forme: forme, session: try Sessions.juin2027(), resultats: try resultats())
            _ = try Moteur.deliberer(situation, selon: bareme)
            return nil
        } catch let erreur as DomainError {
            return erreur
        } catch {
            return nil
        }
    }

    @Test("a grade outside 0…20 is refused", arguments: [-1, 2001, Int.max, Int.min])
    func horsBareme(_ centiemes: Int) {
        let erreur = refus { [try Resultat.note("U10", centiemes)] }
        #expect(erreur?.code == "deliberation.note")
        #expect(erreur?.message.contains("comprise entre 0 et 20") == true)
    }

    @Test("an unknown unit is named")
    func uniteInconnue() {
        let erreur = refus { try tous(Baremes.boulanger, 1000, sauf: [.n("U99", 1000)]).map { try $0.resultat() } }
        #expect(erreur?.code == "deliberation.unite_inconnue")
        #expect(erreur?.message == "Unité « U99 » inconnue : le règlement de la spécialité BOULANGER ne la comporte pas.")
    }

    @Test("two facultatives are refused")
    func deuxFacultatives() {
        let bareme = Bareme(specialite: "X", unites: Baremes.boulanger.unites + [.facultative("UF2", "Arts plastiques")])
        let erreur = refus(bareme) { try tous(bareme, 1000, sauf: [.n("UF1", 1200), .n("UF2", 1500)]).map { try $0.resultat() } }
        #expect(erreur?.code == "deliberation.facultatives")
        #expect(erreur?.message.contains("UF1, UF2") == true)
    }

    @Test("a missing coefficient is refused")
    func coefficientManquant() {
        var bareme = Baremes.boulanger
        bareme.unites[1].coefficient = nil
        let erreur = refus(bareme) { try tous(Baremes.boulanger, 1000).map { try $0.resultat() } }
        #expect(erreur?.code == "deliberation.coefficient")
        #expect(erreur?.message.contains("U20 : coefficient manquant") == true)
    }

    @Test("absurd coefficients are refused before any arithmetic", arguments: [0, -3, 101, Int.max, Int.min])
    func coefficientHorsBornes(_ coefficient: Int) {
        var bareme = Baremes.boulanger
        bareme.unites[0].coefficient = coefficient
        #expect(refus(bareme) { try tous(Baremes.boulanger, 2000).map { try $0.resultat() } }?.code == "deliberation.coefficient")
    }

    @Test("a facultative with a coefficient, duplicate or too many units, no compulsory unit")
    func baremesInvalides() {
        var avecCoef = Baremes.boulanger
        avecCoef.unites[7].coefficient = 2
        #expect(refus(avecCoef) { [] }?.code == "deliberation.coefficient")
        var double = Baremes.boulanger
        double.unites.append(.obligatoire("U10", "bis", coefficient: 1))
        #expect(refus(double) { [] }?.code == "deliberation.bareme")
        let trop = Bareme(specialite: "X", unites: (0...40).map { .obligatoire("U\($0)", "u", coefficient: 1) })
        #expect(refus(trop) { [] }?.code == "deliberation.bareme")
        let facultativesSeules = Bareme(specialite: "X", unites: [.facultative("UF1", "f")])
        #expect(refus(facultativesSeules) { [] }?.code == "deliberation.bareme")
    }

    @Test("two options of one group, two results for one unit, dispensed and graded")
    func resultatsContradictoires() {
        let c = Baremes.coiffure
        #expect(refus(c) { try tous(c, 1000, sauf: [.n("U30B", 1000)]).map { try $0.resultat() } }?.code == "deliberation.option")
        #expect(refus { try tous(Baremes.boulanger, 1000, sauf: [.n("U20", 1000), .abs("U20")]).map { try $0.resultat() } }?.code == "deliberation.resultat")
        #expect(refus { try tous(Baremes.boulanger, 1000, sauf: [.n("U20", 1000), .disp("U20")]).map { try $0.resultat() } }?.code == "deliberation.resultat")
        #expect(refus { try tous(Baremes.boulanger, 1000, sauf: [.disp("UF1")]).map { try $0.resultat() } }?.code == "deliberation.resultat")
        #expect(refus { try tous(Baremes.boulanger, 1000, sauf: [.ant("UF1", 1500, "BP-2025-06-N", "2025-07-04")]).map { try $0.resultat() } }?.code == "deliberation.resultat")
    }

    @Test("an earlier grade dated on or after the deliberation is refused")
    func noteDuFutur() {
        let erreur = refus { try tous(Baremes.boulanger, 1000, sauf: [.ant("U20", 1500, "BP-2027-06-N", "2027-07-02")]).map { try $0.resultat() } }
        #expect(erreur?.code == "deliberation.resultat")
        #expect(erreur?.message.contains("pas avant la délibération du 02/07/2027") == true)
    }

    @Test("every compulsory unit dispensed: nothing to average")
    func toutDispense() {
        let erreur = refus { Baremes.artsDeLaCuisine.unites.filter { !$0.facultative }.map { Resultat.dispense($0.code) } }
        #expect(refus(Baremes.artsDeLaCuisine) { Baremes.artsDeLaCuisine.unites.filter { !$0.facultative }.map { Resultat.dispense($0.code) } }?.code
            == "deliberation.aucune_unite_notee")
        #expect(erreur?.code == "deliberation.unite_inconnue")  // Arts de la cuisine's units are not Boulanger's
    }

    @Test("impossible dates are refused", arguments: [(2027, 2, 29), (2100, 1, 1), (2027, 13, 1), (2027, 4, 31), (1999, 12, 31)])
    func datesImpossibles(_ a: Int, _ m: Int, _ j: Int) {
        #expect(throws: DomainError.self) { try Jour(a, m, j) }
    }

    @Test("JSON with a grade off the scale does not decode")
    func jsonHorsBareme() throws {
        let json = #"{"unite":"U10","origine":{"anterieure":{"note":2500,"session":"BP-2025-06-N","obtenueLe":"2025-07-04"}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Resultat.self, from: Data(json.utf8)) }
    }
}
