import Contracts
import Domain
import Foundation
import Testing

/// Organisation's contracts against their golden JSON (see `GoldenContractTests`).
@Suite("Organisation contracts match their golden JSON")
struct OrganisationContractTests {
    static let session = try! SessionCode("BP-2027-06-N")
    static let candidature = UUID(uuidString: "3c9a1f2e-7b4d-4e6a-8c1b-5d2e9f0a7b36")!
    static let centre = try! UAI("0941234F")

    /// Seated: room, date, extra time included (2 h and a third) and seat.
    @Test func candidatAffecte() throws {
        try GoldenContractTests.check(CandidatAffecte(
            session: Self.session, candidature: Self.candidature, numeroCandidat: "00012345", specialite: "BOULANGER",
            epreuve: "E2", unite: "U20", mode: .ponctuel, centre: Self.centre, salle: "Salle 104", debut: "2027-06-10T08:00",
            dureeMinutes: 160, place: 17, revision: 3))
    }

    @Test func convocationGeneree() throws {
        try GoldenContractTests.check(ConvocationGeneree(
            session: Self.session, candidature: Self.candidature, numeroCandidat: "00012345", etablissement: try UAI("0941234F"),
            version: 2, changement: "U20 : salle Salle 102 → Salle 104 ; U20 : table 9 → 17",
            document: "/v1/candidatures/3c9a1f2e-7b4d-4e6a-8c1b-5d2e9f0a7b36/convocation?version=2"))
    }

    @Test func anonymatAttribue() throws {
        try GoldenContractTests.check(AnonymatAttribue(
            session: Self.session, specialite: "BOULANGER", epreuve: "E2", unite: "U20", forme: "ecrite", mode: .ponctuel,
            centre: Self.centre, debut: "2027-06-10T08:00", pasCentiemes: 25, copies: ["K7Q2M9", "R4T8W2", "Z3H5N1"], revision: 1))
    }

    @Test func absenceConstatee() throws {
        try GoldenContractTests.check(AbsenceConstatee(session: Self.session, unite: "U20", numeroAnonymat: "R4T8W2", statut: .abj, revision: 2))
    }

    @Test func anonymatLeve() throws {
        try GoldenContractTests.check(AnonymatLeve(
            session: Self.session, unite: "U20",
            correspondances: [
                .init(numeroAnonymat: "K7Q2M9", candidature: Self.candidature, numeroCandidat: "00012345"),
                .init(numeroAnonymat: "R4T8W2", candidature: UUID(uuidString: "8b2d4f6a-1c3e-4a5b-9d7f-0e1f2a3b4c5d")!, numeroCandidat: "00012346"),
            ]))
    }

    @Test func organisationTerminee() throws {
        try GoldenContractTests.check(OrganisationTerminee(
            session: Self.session, candidats: 412, epreuvesPlacees: 1873, terminePar: "gestionnaire-dec-1"))
    }
}
