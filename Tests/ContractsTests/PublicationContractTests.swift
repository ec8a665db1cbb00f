import Contracts
import Domain
import Foundation
import Testing

/// Publication's contract for outside bodies against its golden JSON (see `GoldenContractTests`).
@Suite("Publication contracts match their golden JSON")
struct PublicationContractTests {
    /// A consenting candidate, admis; on `cyclades.resultats` as `A01.BOULANGER.admis`.
    @Test func resultatPublie() throws {
        let resultat = ResultatPublie(
            session: try SessionCode("BP-2027-06-N"), academie: "A01", specialite: "BOULANGER", numero: "00012345",
            nomFamille: "MARTIN", nomUsage: nil, prenoms: "Lucas Pierre", decision: "admis", etablissement: try UAI("0941234F"),
            sessionDeRemplacement: false, revision: 1,
            publieLe: Date(timeIntervalSince1970: 1_814_796_000))  // 2027-07-05T14:00:00Z
        try GoldenContractTests.check(resultat)
        #expect(resultat.routingKey == "A01.BOULANGER.admis")
    }

    /// A document published in a candidate's space, for the gateway to mail.
    @Test func documentPublie() throws {
        try GoldenContractTests.check(DocumentPublie(
            session: try SessionCode("BP-2027-06-N"), destinataire: "candidat:00012345",
            document: try #require(UUID(uuidString: "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b")),
            titre: "Convocation, version 2 — salle B14 au lieu de B12",
            message: "Nouveau document : Convocation, version 2 — salle B14 au lieu de B12."))
    }
}
