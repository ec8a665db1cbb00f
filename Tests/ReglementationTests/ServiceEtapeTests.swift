import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Messaging
import Reglementation
import ServiceKit
import Testing
import TestSupport

@Suite("Step services of a session")
struct ServiceEtapeTests {
    static func ouvrir(_ banc: Banc, _ code: String, _ service: ServiceEtape) async throws -> Banc.Reponse {
        try await banc.appel(.post, "/v1/sessions/\(code)/services/\(service.rawValue)/ouverture")
    }

    static func fermer(_ banc: Banc, _ code: String, _ service: ServiceEtape) async throws -> Banc.Reponse {
        try await banc.appel(.post, "/v1/sessions/\(code)/services/\(service.rawValue)/fermeture")
    }

    @Test("opening a step before the one it needs is refused, and the refusal says why")
    func ordreRefuse() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.nouvelleSession()
            let publication = try await Self.ouvrir(banc, code, .publication)
            #expect(publication.status == .conflict)
            let probleme = try publication.probleme
            #expect(probleme.code == "service.prerequis")
            #expect(probleme.message == "Le service « publication » ne peut pas être ouvert : le service « délibération » doit d'abord être ouvert puis fermé (il n'a pas encore été ouvert).")
            #expect(probleme.details?.map(\.location) == ["prerequis.deliberation"])

            #expect(try await Self.ouvrir(banc, code, .reglementation).status == .ok)
            let inscription = try await Self.ouvrir(banc, code, .inscriptionEtablissement)
            #expect(try inscription.probleme.message == "Le service « inscription établissement » ne peut pas être ouvert : le service « réglementation » doit d'abord être fermé (il est encore ouvert).")
            let extraction = try await Self.ouvrir(banc, code, .extractionEtablissement)
            #expect(try extraction.probleme.details?.first?.message == "Le service « publication » doit d'abord être ouvert (il n'a pas encore été ouvert).")

            let deja = try await Self.ouvrir(banc, code, .reglementation)
            #expect(try deja.status == .conflict && deja.probleme.code == "service.deja_ouvert")
            let pasOuvert = try await Self.fermer(banc, code, .organisation)
            #expect(try pasOuvert.probleme.code == "service.non_ouvert")
            let nonPublie = try await Self.fermer(banc, code, .reglementation)
            #expect(try nonPublie.probleme.code == "reglement.non_publie")
            let inconnu = try await banc.appel(.post, "/v1/sessions/\(code)/services/vacances/ouverture")
            #expect(try inconnu.status == .notFound && inconnu.probleme.code == "service.inconnu")
            #expect(try await banc.appel(.post, "/v1/sessions/\(code)/services/reglementation/fermeture", .admin).status == .forbidden)
            #expect(try await banc.evenements(ServiceOuvert.self, aggregate: "session:\(code)").map(\.service) == [.reglementation],
                    "refusals write no event")
        }
    }

    @Test("a whole session, step by step: states, events, the IMAG'IN step ends and the full timeline")
    func chronologieComplete() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.nouvelleSession()
            let planifie = try await banc.appel(
                .put, "/v1/sessions/\(code)/services/inscription_grand_public/calendrier", json: #"{"ouverture":"2027-01-04","fermeture":"2027-02-12"}"#)
            #expect(try planifie.json(EtatServiceEtape.self).fermeturePrevue == "2027-02-12")

            let ouvert = try await Self.ouvrir(banc, code, .reglementation)
            let etat = try ouvert.json(EtatServiceEtape.self)
            #expect(etat.etat == .ouvert && etat.ouvertPar == "gestionnaire-test" && etat.ouvertLe != nil)
            try await Publication.publier(banc, code)
            #expect(try await Self.fermer(banc, code, .reglementation).status == .ok)

            #expect(try await Self.ouvrir(banc, code, .inscriptionEtablissement).status == .ok)
            #expect(try await Self.ouvrir(banc, code, .inscriptionGrandPublic).status == .ok)
            let organisationTropTot = try await Self.ouvrir(banc, code, .organisation)
            #expect(try organisationTropTot.probleme.details?.map(\.location) == ["prerequis.inscription_etablissement", "prerequis.inscription_grand_public"])
            #expect(try await Self.fermer(banc, code, .inscriptionEtablissement).status == .ok)
            #expect(try await Self.fermer(banc, code, .inscriptionGrandPublic).status == .ok)
            // Reopening is allowed while nothing that needs it has opened, refused after.
            let rouvert = try await Self.ouvrir(banc, code, .inscriptionGrandPublic)
            #expect(rouvert.status == .ok)
            #expect(try rouvert.json(EtatServiceEtape.self).fermeLe == nil)
            #expect(try await Self.fermer(banc, code, .inscriptionGrandPublic).status == .ok)
            let regl = try await Self.ouvrir(banc, code, .reglementation)
            #expect(try regl.probleme.code == "service.reouverture_impossible")
            #expect(try regl.probleme.details?.map(\.location) == ["dependants.inscription_etablissement", "dependants.inscription_grand_public"])

            // Organisation declares its work finished (its `organisation.terminee`, as the consumer records it).
            try await banc.organisationTerminee(code)
            for service in [ServiceEtape.organisation, .collecteNotes, .deliberation] {
                #expect(try await Self.ouvrir(banc, code, service).status == .ok, "\(service)")
                #expect(try await Self.fermer(banc, code, service).status == .ok, "\(service)")
            }
            #expect(try await Self.ouvrir(banc, code, .publication).status == .ok)
            #expect(try await Self.ouvrir(banc, code, .extractionEtablissement).status == .ok, "extraction needs publication opened, not closed")
            #expect(try await Self.fermer(banc, code, .extractionEtablissement).status == .ok)
            #expect(try await Self.fermer(banc, code, .publication).status == .ok)

            let services = try await banc.appel(.get, "/v1/sessions/\(code)/services", .service).json(ListeServices.self).items
            #expect(services.allSatisfy { $0.etat == .ferme })
            #expect(services.first { $0.service == .inscriptionGrandPublic }?.ouverturePrevue == "2027-01-04")

            let historique = try await banc.appel(.get, "/v1/sessions/\(code)/historique?taille=100", .admin).json(PageHistorique.self)
            let lignes = historique.items.map { "\($0.action.rawValue) \($0.service?.rawValue ?? "-")" }
            #expect(lignes == [
                "session_ouverte -", "calendrier inscription_grand_public",
                "ouvert reglementation", "ferme reglementation",
                "ouvert inscription_etablissement", "ouvert inscription_grand_public",
                "ferme inscription_etablissement", "ferme inscription_grand_public",
                "rouvert inscription_grand_public", "ferme inscription_grand_public",
                "ouvert organisation", "ferme organisation", "ouvert collecte_notes", "ferme collecte_notes",
                "ouvert deliberation", "ferme deliberation", "ouvert publication",
                "ouvert extraction_etablissement", "ferme extraction_etablissement", "ferme publication",
            ])
            #expect(historique.total == lignes.count)
            #expect(historique.items.allSatisfy { $0.par == "gestionnaire-test" })
            #expect(zip(historique.items, historique.items.dropFirst()).allSatisfy { $0.le <= $1.le })
            #expect(historique.items[1].fermeturePrevue == "2027-02-12")

            let aggregate = "session:\(code)"
            #expect(try await banc.evenements(EtapeTerminee.self, aggregate: aggregate).map(\.etape) == [.reglementation, .organisation, .notation])
            #expect(try await banc.evenements(ServiceFerme.self, aggregate: aggregate).count == 9)
            let ouvertures = try await banc.evenements(ServiceOuvert.self, aggregate: aggregate)
            #expect(ouvertures.count == 9)
            #expect(ouvertures.filter(\.reouverture).map(\.service) == [.inscriptionGrandPublic])
            #expect(ouvertures.first { $0.service == .inscriptionGrandPublic }?.fermeturePrevue == "2027-02-12")

            let page = try await banc.appel(.get, "/v1/sessions/\(code)/historique?taille=5&page=2", .admin).json(PageHistorique.self)
            #expect(page.items.map { "\($0.action.rawValue) \($0.service?.rawValue ?? "-")" } == Array(lignes[5..<10]))
        }
    }
}

struct ListeServices: Decodable { var items: [EtatServiceEtape] }

struct PageHistorique: Decodable {
    var items: [EvenementHistorique]
    var total: Int
}
