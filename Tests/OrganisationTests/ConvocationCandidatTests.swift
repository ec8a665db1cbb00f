import Contracts
import Domain
import Foundation
@testable import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Inscription
@testable import Organisation
import ServiceKit
import Storage
import Testing
import TestSupport

/// A Grand Public candidate downloads his convocation through the gateway: the real Inscription
/// service (his candidature, created and validated as he does it) says it is his, the real
/// Organisation service renders it; another candidate gets nothing.
@Suite("Organisation: the candidate's convocation through the gateway")
struct ConvocationCandidatTests {
    @Test("his convocation as a PDF; another candidate is refused")
    func convocationDuCandidat() async throws {
        try await Banc.avecService(mode: .live) { banc in
            let configuration = try ServiceConfiguration(serviceName: InscriptionService.name, environment: TestStack.environment("inscription"))
            let inscription = await ServiceRuntime(configuration: configuration)
            try await TestStack.withRunningClient(inscription.database.client) {
                try await MigrationRunner(database: inscription.database).apply(ServiceRuntime.allMigrations(InscriptionService.self))
                let copie = Inscription.ReferentielRepository(database: inscription.database)
                try await inscription.database.transaction { connection in
                    try await copie.enregistrer(SessionOuverte(session: banc.code, academie: "A01", libelle: "Session de test", ouvertePar: "test",
                                                               debutEpreuves: banc.jour1), on: connection)
                    try await copie.ouvrir(.inscriptionGrandPublic, session: banc.code, on: connection)
                    try await copie.enregistrer(Reglements.publication(banc.code, version: 1), on: connection)
                }
                try await Application(router: try await inscription.router(for: InscriptionService.self)).test(.live) { inscriptionClient in
                    let urls = ["organisation": "http://127.0.0.1:\(banc.client.port!)", "inscription": "http://127.0.0.1:\(inscriptionClient.port!)"]
                    try await PagesTests.passerelle(services: urls) { components, client in
                        let jeton = try await PagesTests.jeton(components, .candidat)
                        let autre = try await PagesTests.jeton(components, .candidat)
                        func api(_ method: HTTPRequest.Method, _ uri: String, _ jeton: String, json: String? = nil) async throws -> (HTTPResponse.Status, ByteBuffer) {
                            var champs: HTTPFields = [.authorization: "Bearer \(jeton)"]
                            if json != nil { champs[.contentType] = "application/json" }
                            let r = try await client.execute(uri: uri, method: method, headers: champs, body: json.map { ByteBuffer(string: $0) })
                            return (r.status, r.body)
                        }
                        // He registers himself, as individuel, through the gateway's API.
                        // Without an INE, the same name and birth date in the session would be a probable duplicate: a birth date of its own.
                        let naissance = String(format: "19%02d-%02d-%02d", Int.random(in: 60...99), Int.random(in: 1...12), Int.random(in: 1...28))
                        let saisie = #"{"candidat":{"ine":null,"nomFamille":"Garnier","prenoms":"Inès","sexe":"F","dateNaissance":"\#(naissance)","communeNaissance":"Nantes","paysNaissance":"France","adresse":"2 rue Haute","codePostal":"44000","commune":"Nantes","courriel":"ines@exemple.fr","telephone":"0600000000"},"categorie":"individuel","uai":null,"specialite":"COIFFURE","options":[],"facultatives":[],"forme":"globale","benefices":[],"dispenses":[]}"#
                        let (cree, corps) = try await api(.post, "/api/v1/inscription/sessions/\(banc.session)/candidatures", jeton, json: saisie)
                        #expect(cree == .created, "\(String(buffer: corps))")
                        struct Candidature: Decodable { var id: UUID; var numero: String }
                        let candidature = try JSONDecoder().decode(Candidature.self, from: corps)
                        let (validee, texteValidation) = try await api(.post, "/api/v1/inscription/candidatures/\(candidature.id.uuidString.lowercased())/validation", jeton)
                        #expect(validee == .ok, "\(String(buffer: texteValidation))")

                        // Organisation gets it (as its event brings it), places and seats him, generates the convocations.
                        try await banc.centre("Centre Jules Verne", salles: [Salle(nom: "B2", places: 10)], departement: "044")
                        try await banc.nourrir([try banc.candidature(nom: "Garnier", prenoms: "Inès", ine: nil, etablissement: nil,
                                                                     categorie: .individuel, numero: candidature.numero, id: candidature.id)])
                        #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/affectation-automatique").status == .ok)
                        let centre = try #require(try await banc.places().first?.centre)
                        for unite in ["U10", "U20", "U30", "U40"] {
                            #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/centres/\(centre)/placement",
                                                         json: #"{"specialite":"COIFFURE","unite":"\#(unite)"}"#).status == .ok)
                        }
                        #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/convocations").status == .ok)

                        let page = "/candidat/convocations/\(candidature.id.uuidString.lowercased()).pdf"
                        let reponse = try await client.execute(uri: page, method: .get, headers: [.cookie: "\(UserSessionMiddleware.cookieName)=\(jeton)"], body: nil)
                        #expect(reponse.status == .ok && reponse.headers[.contentType] == "application/pdf")
                        let texte = try await PDF.texte(Array(buffer: reponse.body))
                        #expect(texte.contains("Convocation aux épreuves") && texte.contains("GARNIER") && texte.contains(candidature.numero))
                        #expect(texte.contains("Centre Jules Verne") && texte.contains("Salle B2"))

                        // Another candidate: inscription says it is not his, organisation is never asked.
                        let refus = try await client.execute(uri: page, method: .get, headers: [.cookie: "\(UserSessionMiddleware.cookieName)=\(autre)"], body: nil)
                        #expect(refus.status == .forbidden)
                        // Asked directly, organisation refuses a candidate without his numéro too.
                        let (direct, _) = try await api(.get, "/api/v1/organisation/candidatures/\(candidature.id.uuidString.lowercased())/convocation", autre)
                        #expect(direct == .forbidden)
                    }
                }
            }
        }
    }
}
