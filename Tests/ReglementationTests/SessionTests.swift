import AMQP
import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import PostgresNIO
import Reglementation
import ServiceKit
import ServiceLifecycle
import Storage
import Testing
import TestSupport

@Suite("Réglementation sessions")
struct SessionTests {
    @Test("a gestionnaire opens a session: 201, the row, its eight services and its event are written together")
    func openSession() async throws {
        try await Banc.avecService { banc in
            let code = try await Banc.codeLibre(.normale, database: banc.database)
            let body = #"{"code":"\#(code)","academie":"a01","libelle":"Session de test","debutEpreuves":"2027-06-07","finEpreuves":"2027-06-18","calendrier":{"inscription_etablissement":{"ouverture":"2027-01-04","fermeture":"2027-02-12"}}}"#
            let created = try await banc.appel(.post, "/v1/sessions", json: body)
            #expect(created.status == .created)
            let session = try created.json(Session.self)
            #expect(session.code.value == code)
            #expect(session.academie == "A01")
            #expect(session.nature == .normale)
            #expect(session.etat == .ouverte)
            #expect(session.debutEpreuves == "2027-06-07")
            #expect(session.ouvertePar == "gestionnaire-test")
            let events = try await banc.evenements(SessionOuverte.self, aggregate: "session:\(code)")
            #expect(events.map(\.session.value) == [code])
            #expect(events.first?.finEpreuves == "2027-06-18")

            let detail = try await banc.appel(.get, "/v1/sessions/\(code)", .service)
            #expect(detail.status == .ok)
            let services = try #require(try detail.json(Session.self).services)
            #expect(services.map(\.service) == ServiceEtape.allCases)
            #expect(services.allSatisfy { $0.etat == .aOuvrir })
            let inscription = try #require(services.first { $0.service == .inscriptionEtablissement })
            #expect(inscription.ouverturePrevue == "2027-01-04")
            #expect(inscription.fermeturePrevue == "2027-02-12")

            let again = try await banc.appel(.post, "/v1/sessions", json: body)
            #expect(again.status == .conflict)
            #expect(try again.probleme.code == "session.existe")
            #expect(try await banc.evenements(SessionOuverte.self, aggregate: "session:\(code)").count == 1, "a refused request writes no event")
        }
    }

    @Test("bad input is refused with a French message naming each field, and changes nothing")
    func invalidInput() async throws {
        try await Banc.avecService { banc in
            for (body, code, field) in [
                (#"{"code":"BP-2027-13-N","academie":"A01","libelle":"x"}"#, "session.mois", "code"),
                (#"{"code":"BAC-2027-06-N","academie":"A01","libelle":"x"}"#, "session.format", "code"),
                (#"{"code":"BP-2027-06-N","academie":"Paris","libelle":"x"}"#, "academie.format", "academie"),
                (#"{"code":"BP-2027-06-N","academie":"A01","libelle":"  "}"#, "libelle.longueur", "libelle"),
                (#"{"code":"BP-2027-06-N","academie":"A01"}"#, "champ.manquant", "libelle"),
                (#"{"code":"BP-2027-06-N","academie":"A01","libelle":"x","sessionNormale":"BP-2027-06-N"}"#, "session.normale_interdite", "sessionNormale"),
                (#"{"code":"BP-2027-06-N","academie":"A01","libelle":"x","debutEpreuves":"2027-02-30"}"#, "date.format", "debutEpreuves"),
                (#"{"code":"BP-2027-06-N","academie":"A01","libelle":"x","calendrier":{"vacances":{}}}"#, "service.inconnu", "calendrier.vacances"),
                (#"{"code":"BP-2027-06-N","academie":"A01","libelle":"x","calendrier":{"publication":{"ouverture":"2027-07-10","fermeture":"2027-07-01"}}}"#, "calendrier.ordre", "calendrier.publication.fermeture"),
            ] {
                let response = try await banc.appel(.post, "/v1/sessions", json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                let problem = try response.probleme
                #expect(problem.code == code, "\(body)")
                #expect(problem.details?.first?.location == field, "\(body)")
                #expect(!problem.message.isEmpty)
            }
            let pasDuJSON = try await banc.appel(.post, "/v1/sessions", json: "pas du JSON")
            #expect(pasDuJSON.status == .badRequest)
            #expect(try pasDuJSON.probleme.code == "requete.json")
            let mauvaisType = try await banc.appel(.post, "/v1/sessions", json: #"{"code":2027,"academie":"A01","libelle":"x"}"#)
            #expect(try mauvaisType.probleme.code == "champ.type")
            #expect(try mauvaisType.probleme.details?.map(\.location) == ["code"])
            let several = try await banc.appel(.post, "/v1/sessions", json: #"{"code":"BP-2027-13-N","academie":"Paris","libelle":""}"#)
            #expect(try several.probleme.code == "requete.invalide")
            #expect(try several.probleme.details?.map(\.location) == ["code", "academie", "libelle"])
            // Every body above but the first two carries the valid code BP-2027-06-N, which no test ever creates.
            #expect(try await banc.database.count("sessions", where: "code = 'BP-2027-06-N'") == 0)
        }
    }

    @Test("a session de remplacement is linked to a normal session of the same académie")
    func sessionDeRemplacement() async throws {
        try await Banc.avecService { banc in
            let normale = try await banc.nouvelleSession(.normale, academie: "A02")
            let code = try await Banc.codeLibre(.remplacement, database: banc.database)
            let created = try await banc.appel(.post, "/v1/sessions", json: #"{"code":"\#(code)","academie":"A02","libelle":"Remplacement","sessionNormale":"\#(normale)"}"#)
            #expect(created.status == .created, "\(created.texte)")
            #expect(try created.json(Session.self).sessionNormale?.value == normale)
            #expect(try await banc.evenements(SessionOuverte.self, aggregate: "session:\(code)").first?.sessionNormale?.value == normale)

            let ailleurs = try await banc.appel(.post, "/v1/sessions", json: #"{"code":"\#(try await Banc.codeLibre(.remplacement, database: banc.database))","academie":"A03","libelle":"R","sessionNormale":"\#(normale)"}"#)
            #expect(try ailleurs.probleme.code == "session.normale_academie")
            let inconnue = try await Banc.codeLibre(.normale, database: banc.database)
            let absente = try await banc.appel(.post, "/v1/sessions", json: #"{"code":"\#(try await Banc.codeLibre(.remplacement, database: banc.database))","academie":"A02","libelle":"R","sessionNormale":"\#(inconnue)"}"#)
            #expect(try absente.probleme.code == "session.normale_inconnue")
            let vae = try await banc.nouvelleSession(.vae, academie: "A02")
            let pasNormale = try await banc.appel(.post, "/v1/sessions", json: #"{"code":"\#(try await Banc.codeLibre(.remplacement, database: banc.database))","academie":"A02","libelle":"R","sessionNormale":"\#(vae)"}"#)
            #expect(try pasNormale.probleme.code == "session.normale_nature")
        }
    }

    @Test("lists are paged and filtered; bad filters are refused by name")
    func listes() async throws {
        try await Banc.avecService { banc in
            let academie = "A\(Int.random(in: 50...99))"
            let vae = try await banc.nouvelleSession(.vae, academie: academie)
            let normale = try await banc.nouvelleSession(.normale, academie: academie)
            let tout = try await banc.appel(.get, "/v1/sessions?academie=\(academie)&taille=200", .admin)
            let codes = try tout.json(SessionsPage.self).items.map(\.code.value)
            #expect(Set([vae, normale]).isSubset(of: Set(codes)))
            let vaes = try await banc.appel(.get, "/v1/sessions?academie=\(academie)&nature=vae&taille=200", .service)
            #expect(try vaes.json(SessionsPage.self).items.allSatisfy { $0.nature == .vae })
            #expect(try vaes.json(SessionsPage.self).items.map(\.code.value).contains(vae))
            let page = try await banc.appel(.get, "/v1/sessions?academie=\(academie)&taille=1&page=2", .gestionnaire)
            let deuxieme = try page.json(SessionsPage.self)
            #expect(deuxieme.items.count == 1)
            #expect(deuxieme.page == 2 && deuxieme.taille == 1 && deuxieme.total >= 2)

            let refus = try await banc.appel(.get, "/v1/sessions?page=0&taille=500&nature=x&etat=y&academie=Z", .gestionnaire)
            #expect(refus.status == .unprocessableContent)
            #expect(try refus.probleme.details?.map(\.location) == ["page", "taille", "academie", "nature", "etat"])
        }
    }

    @Test("only a gestionnaire writes; candidats read nothing; no token is 401")
    func authorization() async throws {
        try await Banc.avecService { banc in
            let body = #"{"code":"\#(try await Banc.codeLibre(.normale, database: banc.database))","academie":"A01","libelle":"x"}"#
            #expect(try await banc.appel(.post, "/v1/sessions", nil, json: body).status == .unauthorized)
            for role in Role.allCases where role != .gestionnaire {
                #expect(try await banc.appel(.post, "/v1/sessions", role, json: body).status == .forbidden, "\(role) must not open a session")
            }
            #expect(try await banc.appel(.get, "/v1/sessions", .candidat).status == .forbidden)
            let page = try await banc.appel(.get, "/v1/sessions?taille=5", .gestionnaire)
            #expect(page.status == .ok)
            #expect(page.texte.contains("\"taille\":5"))
            #expect(try await banc.appel(.get, "/v1/sessions/BP-2031-13-N", .gestionnaire).status == .unprocessableContent)
            let inconnue = try await banc.appel(.get, "/v1/sessions/\(try await Banc.codeLibre(.vae, database: banc.database))", .gestionnaire)
            #expect(inconnue.status == .notFound)
            #expect(try inconnue.probleme.code == "session.inconnue")
        }
    }

    @Test("closing a session: refused while a service is open, then closed with its event; nothing changes after")
    func closeSession() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.nouvelleSession()
            #expect(try await banc.appel(.post, "/v1/sessions/\(code)/services/reglementation/ouverture").status == .ok)
            let refus = try await banc.appel(.post, "/v1/sessions/\(code)/cloture")
            #expect(refus.status == .conflict)
            #expect(try refus.probleme.code == "session.services_ouverts")
            #expect(try refus.probleme.details?.map(\.location) == ["services.reglementation"])

            try await Publication.publier(banc, code)
            #expect(try await banc.appel(.post, "/v1/sessions/\(code)/services/reglementation/fermeture").status == .ok)
            let close = try await banc.appel(.post, "/v1/sessions/\(code)/cloture")
            #expect(close.status == .ok, "\(close.texte)")
            #expect(try close.json(Session.self).etat == .close)
            #expect(try await banc.evenements(SessionClose.self, aggregate: "session:\(code)").map(\.closePar) == ["gestionnaire-test"])
            #expect(try await banc.appel(.get, "/v1/sessions?etat=close&taille=200", .admin).texte.contains(code))

            for (method, uri) in [
                (HTTPRequest.Method.post, "/v1/sessions/\(code)/services/inscription_etablissement/ouverture"),
                (.post, "/v1/sessions/\(code)/cloture"),
                (.put, "/v1/sessions/\(code)/services/organisation/calendrier"),
            ] {
                let response = try await banc.appel(method, uri, json: "{}")
                #expect(response.status == .conflict, "\(uri)")
                #expect(try response.probleme.code == "session.close", "\(uri)")
            }
        }
    }

    @Test("another service's consumer receives reglementation.session.ouverte and keeps its own copy")
    func consumerBuildsItsOwnCopy() async throws {
        try await Banc.avecService { banc in
            try await Consommateur.avecCopie(
                "copie", table: "CREATE TABLE %@ (code text PRIMARY KEY, academie text NOT NULL)", banc: banc,
                handlers: { table in
                    var handlers = MessageHandlers()
                    handlers.on(SessionOuverte.self) { envelope, context in
                        var binds = PostgresBindings()
                        binds.append(envelope.payload.session.value)
                        binds.append(envelope.payload.academie)
                        try await context.connection.query(
                            PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ($1, $2)", binds: binds), logger: context.logger)
                    }
                    return handlers
                }
            ) { copy in
                let code = try await banc.nouvelleSession(academie: "A07")
                let copied = try await TestStack.eventually { try await copy.count("copie", where: "code = '\(code)' AND academie = 'A07'") == 1 }
                #expect(copied)
            }
        }
    }
}

struct SessionsPage: Decodable {
    var items: [Session]
    var total: Int
    var page: Int
    var taille: Int
}
