import Contracts
import Domain
import Foundation
import Messaging
@testable import Publication
import ServiceKit
import ServiceTestSupport
import Storage
import Testing

/// The embargo, the reconciliation and the release, through the service's handlers and routes
/// on its real schema.
@Suite("Publication: embargo, reconciliation, release")
struct LiberationTests {
    @Test("under embargo nothing is visible by any route nor sent; at the opening of the step, everything at once")
    func embargo() async throws {
        try await Banc.avecService { banc in
            let uai = UAIs.valide()
            let lea = try banc.candidature(nom: "Martin", consentement: true, etablissement: uai)
            let paul = try banc.candidature(nom: "Durand", consentement: false, etablissement: uai)
            let resultats = [try banc.resultat(lea), try banc.resultat(paul, decision: "ajourne", note: "08.00")]
            try await banc.deliberer([lea, paul], resultats)
            let avant = try await banc.publics()

            // Every route, as everyone who may ask.
            for (numero, role) in [(lea.numero, Role.candidat), (lea.numero, .gestionnaire)] {
                let reponse = try await banc.appel(.get, "/v1/candidats/\(numero)/resultat", role, scopes: ["candidat:\(numero)"])
                #expect(reponse.status == .ok)
                #expect(reponse.texte.contains("\"items\":[]"), "\(reponse.texte)")
            }
            for (role, scopes) in [(Role.gestionnaire, Set<String>()), (.etablissement, ["uai:\(uai)"])] {
                let liste = try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats", role, scopes: scopes)
                #expect(liste.status == .ok)
                #expect(try liste.json(Page.self).total == 0)
            }
            #expect(avant.lignes.isEmpty)
            #expect(try await banc.messagesPublies().isEmpty)
            let etat = try await banc.etat()
            #expect(etat.publieeLe == nil)
            #expect(etat.resultatsRecus == 2)
            #expect(etat.ecarts.isEmpty)

            try await banc.ouvrirPublication()

            let apres = try await banc.publics()
            #expect(apres.generation > avant.generation)
            #expect(Set(apres.lignes.map(\.numero)) == [lea.numero, paul.numero])
            // The name only with consent; the birth date never, its lookup key instead.
            let publieLea = try #require(apres.lignes.first { $0.numero == lea.numero })
            #expect(publieLea.nom == "Martin")
            #expect(publieLea.cle == CleConsultation.cle(numero: lea.numero, naissance: "2004-03-02"))
            #expect(apres.lignes.first { $0.numero == paul.numero }?.nom == nil)
            let candidat = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/resultat", .candidat, scopes: ["candidat:\(lea.numero)"])
            #expect(candidat.texte.contains("\"decision\":\"admis\""))
            #expect(candidat.texte.contains("12.50"))
            let liste = try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats", .etablissement, scopes: ["uai:\(uai)"])
            #expect(try liste.json(Page.self).total == 2)
            // Outside bodies: the consented candidate only, on cyclades.resultats, no grade.
            let messages = try await banc.messagesPublies()
            #expect(messages.map(\.message.numero) == [lea.numero])
            #expect(messages.first?.exchange == Topology.resultats)
            #expect(messages.first?.routingKey == "A13.BOULANGER.admis")
            #expect(try await banc.etat().publieeLe != nil)
        }
    }

    @Test("a result that differs from its signed PV blocks the release, named; the corrected PV releases it")
    func rapprochement() async throws {
        try await Banc.avecService { banc in
            let lea = try banc.candidature(nom: "Martin", consentement: true)
            let paul = try banc.candidature(nom: "Durand", consentement: true)
            let resultats = [try banc.resultat(lea), try banc.resultat(paul, decision: "ajourne", note: "08.00")]
            // The PV signed Paul ajourné with other grades than his result carries.
            var signe = resultats
            signe[1].unites[0].note = "09.00"
            try await banc.deliberer([lea, paul], resultats, pv: try banc.pv(signe))
            try await banc.ouvrirPublication()

            let etat = try await banc.etat()
            #expect(etat.publieeLe == nil)
            #expect(etat.resultatsPublies == 0)
            #expect(etat.ecarts.map(\.code) == ["resultat.notes"])
            #expect(etat.ecarts.first?.numero == paul.numero)
            #expect(etat.ecarts.first?.message.contains("J01") == true)
            #expect(try await banc.publics().lignes.isEmpty)
            #expect(try await banc.messagesPublies().isEmpty)

            // The jury reopened and closed again: the new PV matches, the release follows at once.
            try await banc.livrer(try banc.pv(resultats, version: 2), producteur: "deliberation")
            let libere = try await banc.etat()
            #expect(libere.ecarts.isEmpty)
            #expect(libere.resultatsPublies == 2)
            #expect(libere.publieeLe != nil)
        }
    }

    @Test("every kind of difference is found: counts, missing results, results without PV, decisions, candidates without result")
    func ecarts() throws {
        let a = UUID(), b = UUID(), c = UUID()
        func ligne(_ id: UUID, _ numero: String, _ decision: String, revision: Int = 1) -> JuryClos.Arrete {
            .init(candidature: id, numero: numero, decision: decision, revision: revision, notes: "moyenne=12.00")
        }
        let ecarts = Rapprochement.ecarts(
            resultats: [
                .init(candidature: a, numero: "N1", jury: "J01", decision: "ajourne", revision: 1, notes: "moyenne=12.00"),
                .init(candidature: c, numero: "N3", jury: "J02", decision: "admis", revision: 1, notes: "moyenne=12.00"),
            ],
            proces: [.init(jury: "J01", version: 1, candidats: 3, admis: 1, lignes: [ligne(a, "N1", "admis"), ligne(b, "N2", "ajourne")])],
            sansResultat: ["N4"])
        #expect(ecarts.map(\.code) == ["pv.compte", "resultat.decision", "resultat.absent", "resultat.sans_pv", "candidat.sans_resultat"])
        #expect(ecarts.map(\.numero) == [nil, "N1", "N2", "N3", "N4"])
        #expect(Rapprochement.ecarts(
            resultats: [.init(candidature: a, numero: "N1", jury: "J01", decision: "admis", revision: 1, notes: "moyenne=12.00")],
            proces: [.init(jury: "J01", version: 1, candidats: 1, admis: 1, lignes: [ligne(a, "N1", "admis")])],
            sansResultat: []).isEmpty)
    }

    @Test("a result revised after the release is republished with its revision, and the gestionnaire sees the change")
    func revision() async throws {
        try await Banc.avecService { banc in
            let lea = try banc.candidature(nom: "Martin", consentement: true)
            let premier = try banc.resultat(lea, decision: "ajourne", note: "09.50")
            try await banc.deliberer([lea], [premier])
            try await banc.ouvrirPublication()
            #expect(try await banc.messagesPublies().map(\.message.decision) == ["ajourne"])

            // Reopened, raised to admis, closed again: revision 2 and PV version 2.
            let revise = try banc.resultat(lea, decision: "admis", note: "10.00", revision: 2)
            try await banc.livrer(revise, producteur: "deliberation")
            // Under the old PV the new revision differs: nothing republished before its PV.
            #expect(try await banc.messagesPublies().count == 1)
            try await banc.livrer(try banc.pv([revise], version: 2), producteur: "deliberation")

            let messages = try await banc.messagesPublies()
            #expect(messages.map(\.message.revision) == [1, 2])
            #expect(messages.last?.routingKey == "A13.BOULANGER.admis")
            let etat = try await banc.etat()
            #expect(etat.revisions.map(\.numero) == [lea.numero])
            #expect(etat.revisions.first?.decisionAvant == "ajourne")
            #expect(etat.revisions.first?.decision == "admis")
            let candidat = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/resultat", .candidat, scopes: ["candidat:\(lea.numero)"])
            #expect(candidat.texte.contains("\"revision\":2"))

            // A replay on request sends the session's messages again, the latest revision.
            let rediffusion = try await banc.appel(.post, "/v1/sessions/\(banc.session)/publication/rediffusion")
            #expect(rediffusion.status == .ok)
            #expect(try await banc.messagesPublies().map(\.message.revision) == [1, 2, 2])
        }
    }

    @Test("who may see what: a candidate his own result only, an établissement its own students, the public data the gateway alone")
    func habilitations() async throws {
        try await Banc.avecService { banc in
            let uai = UAIs.valide()
            let lea = try banc.candidature(nom: "Martin", consentement: true, etablissement: uai)
            try await banc.deliberer([lea], [try banc.resultat(lea)])
            try await banc.ouvrirPublication()

            let autre = try await banc.appel(.get, "/v1/candidats/\(lea.numero)/resultat", .candidat, scopes: ["candidat:AUTRE"])
            #expect(autre.status == .forbidden)
            let etranger = try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats?etablissement=\(uai)", .etablissement,
                                                scopes: ["uai:\(UAIs.valide())"])
            #expect(etranger.status == .forbidden)
            for role in [Role.gestionnaire, .candidat, .etablissement] {
                #expect(try await banc.appel(.get, "/v1/public/sessions", role).status == .forbidden)
                #expect(try await banc.appel(.get, "/v1/public/sessions/\(banc.session)/resultats", role).status == .forbidden)
            }
            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/publication/verification", .etablissement,
                                         scopes: ["uai:\(uai)"]).status == .forbidden)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/publication", nil).status == .unauthorized)
            #expect(try await banc.appel(.get, "/v1/public/sessions/\(banc.session)/resultats?taille=20001", .service).status == .unprocessableContent)
            let mauvais = try await banc.appel(.get, "/v1/sessions/\(banc.session)/resultats?decision=reçu&etablissement=XYZ")
            #expect(mauvais.status == .unprocessableContent)
            #expect(try mauvais.probleme.details?.map(\.location).sorted() == ["decision", "etablissement"])
        }
    }
}

private struct Page: Decodable {
    var total: Int
}
