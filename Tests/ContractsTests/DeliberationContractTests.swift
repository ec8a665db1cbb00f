import Contracts
import Domain
import Foundation
import Testing

/// Délibération's contracts against their golden JSON (see `GoldenContractTests`).
@Suite("Délibération contracts match their golden JSON")
struct DeliberationContractTests {
    static let candidature = UUID(uuidString: "3c9a1f2e-7b4d-4e6a-8c1b-5d2e9f0a7b36")!

    @Test func resultatArrete() throws {
        try GoldenContractTests.check(ResultatArrete(
            session: try SessionCode("BP-2027-06-N"), candidature: Self.candidature, numero: "00012345", specialite: "BOULANGER",
            jury: "J01", decision: "ajourne", moyenne: "9.95", decisionDuJury: false,
            unites: [
                .init(unite: "U10", libelle: "Fabrication d'une commande", coefficient: 12, facultative: false, note: "12.50",
                      statut: "obtenue", sessionOrigine: nil, pointsDeJury: true),
                .init(unite: "U20", libelle: "Technologie professionnelle", coefficient: 3, facultative: false, note: "ABJ",
                      statut: "absence_justifiee", sessionOrigine: nil, pointsDeJury: false),
                .init(unite: "U30", libelle: "Sciences appliquées", coefficient: 3, facultative: false, note: "14.00",
                      statut: "benefice_reporte", sessionOrigine: "BP-2025-06-N", pointsDeJury: false),
            ],
            acquis: [.init(unite: "U10", note: "12.50", session: "BP-2027-06-N", obtenueLe: "2027-07-02", valableJusquAu: "2032-07-02")],
            reportables: [], attestationDeReussite: true, sessionDeRemplacement: true, revision: 1))
    }

    @Test func juryClos() throws {
        try GoldenContractTests.check(JuryClos(
            session: try SessionCode("BP-2027-06-N"), jury: "J01", specialite: "BOULANGER", candidats: 42, admis: 30, versionPV: 2,
            closPar: "president-jury-1",
            resultats: [.init(candidature: UUID(uuidString: "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")!, numero: "N0042", decision: "admis",
                              revision: 2, notes: "moyenne=10.64;U10=12.50/obtenue;U20=ABJ/absence_justifiee;U30=14.00/benefice_reporte")]))
    }
}
