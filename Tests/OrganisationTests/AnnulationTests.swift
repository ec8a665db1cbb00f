import Contracts
import Domain
import Foundation
@testable import Organisation
import Testing
import TestSupport

@Suite("Organisation: a cancellation wins over an older validation, whatever their order of arrival")
struct AnnulationTests {
    @Test("a cancellation received before its validation leaves a tombstone: the late validation neither places nor convokes the candidate")
    func annulationAvantValidation() async throws {
        try await Banc.avecService { banc in
            let lycee = try await banc.centre("Lycée", salles: [Salle(nom: "A", places: 20)], roles: [.inscription, .epreuve])
            let annule = try banc.candidature(nom: "Annulé", etablissement: lycee, revision: 1)
            let temoin = try banc.candidature(nom: "Témoin", etablissement: lycee, revision: 1)

            // Redelivery order: the cancellation (revision 2) first, then the validation (revision 1).
            let retirees = try await banc.database.transaction { connection in
                try await banc.referentiel.annuler(
                    CandidatureAnnulee(id: annule.id, numero: annule.numero, session: banc.code, motif: "Abandon", annuleePar: "etab", revision: 2),
                    on: connection)
            }
            #expect(retirees == nil)
            try await banc.nourrir([annule, temoin])

            let id = annule.id.uuidString
            #expect(try await banc.database.count("affectations", where: "candidature = '\(id)'") == 0)
            #expect(try await banc.database.count("affectations", where: "candidature = '\(temoin.id.uuidString)'") > 0)
            #expect(try await banc.database.count("candidatures", where: "id = '\(id)' AND NOT annulee") == 0)

            // With no épreuve-candidat, nothing announces him to a centre (no placement, no convocation).
            #expect(try await banc.evenements(CandidatAffecte.self).allSatisfy { $0.candidature != annule.id })

            // The same cancellation again changes nothing; a later revision (reinstated by
            // inscription) is taken again.
            let encore = try await banc.database.transaction { connection in
                try await banc.referentiel.annuler(
                    CandidatureAnnulee(id: annule.id, numero: annule.numero, session: banc.code, motif: "Abandon", annuleePar: "etab", revision: 2),
                    on: connection)
            }
            #expect(encore == nil)
            var reprise = annule
            reprise.revision = 3
            try await banc.nourrir([reprise])
            #expect(try await banc.database.count("affectations", where: "candidature = '\(id)'") > 0)
        }
    }
}
