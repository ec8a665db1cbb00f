import Contracts
import Foundation
@testable import Organisation
import Testing

/// Seating a sitting in its rooms, without a database: who sits in which room, at which table.
@Suite("Organisation: seating in rooms, in memory")
struct PlacementEnSalleTests {
    static func assis(_ nom: String, separee: Bool = false, majoration: Int = 0) -> Placements.Assis {
        Placements.Assis(candidature: UUID(), unite: "U10", specialite: "COIFFURE", nom: nom, salleSeparee: separee, majoration: majoration)
    }

    @Test("separate candidates alone in the smallest rooms, extra time apart, the others by name; tables from 1 in each room")
    func sallesEtTables() throws {
        let salles = [Salle(nom: "A", places: 10), Salle(nom: "B", places: 1), Salle(nom: "C", places: 4), Salle(nom: "D", places: 2)]
        let candidats = [
            Self.assis("DUPONT Léa"), Self.assis("ARNAUD Paul"), Self.assis("MARTIN Zoé", majoration: 33), Self.assis("BERGER Jean", separee: true),
            Self.assis("CARON Inès"), Self.assis("LEROY Tom", majoration: 25),
        ]
        let besoin = candidats.reduce(Besoin()) { $0 + .candidat(salleSeparee: $1.salleSeparee, majoration: $1.majoration) }
        guard case .success(let repartition) = Repartition.calculer(places: salles.map(\.places), besoin: besoin) else {
            Issue.record("the rooms should hold the sitting")
            return
        }
        #expect(repartition.usages == [.ordinaires, .separee, .ordinaires, .majores])
        let (sieges, occupation) = Placements.asseoir(candidats, salles: salles, repartition: repartition, ordre: .alphabetique)
        let nomDe = Dictionary(uniqueKeysWithValues: candidats.map { ($0.candidature, $0.nom) })
        let places = sieges.map { "\(nomDe[$0.candidature] ?? "?") \($0.salle)\($0.place)" }
        #expect(places == ["BERGER Jean B1", "LEROY Tom D1", "MARTIN Zoé D2", "ARNAUD Paul A1", "CARON Inès A2", "DUPONT Léa A3"])
        #expect(occupation == [3, 1, 0, 2])
    }

    @Test("shuffled seating seats everyone once, within the same rooms")
    func aleatoire() throws {
        let salles = [Salle(nom: "A", places: 3), Salle(nom: "B", places: 3)]
        let candidats = (1...6).map { Self.assis("CANDIDAT \($0)") }
        guard case .success(let repartition) = Repartition.calculer(places: [3, 3], besoin: Besoin(ordinaires: 6)) else {
            Issue.record("the rooms should hold the sitting")
            return
        }
        let (sieges, occupation) = Placements.asseoir(candidats, salles: salles, repartition: repartition, ordre: .aleatoire)
        #expect(Set(sieges.map(\.candidature)) == Set(candidats.map(\.candidature)))
        #expect(Set(sieges.map { "\($0.salle)\($0.place)" }) == ["A1", "A2", "A3", "B1", "B2", "B3"])
        #expect(occupation == [3, 3])
    }
}
