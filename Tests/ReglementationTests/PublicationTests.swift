import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Messaging
import PostgresNIO
import Reglementation
import ServiceKit
import Storage
import Testing
import TestSupport

/// Helpers: the shipped pilot imported, and a session's règlement published.
enum Publication {
    static func importerPiloteLivre(_ banc: Banc) async throws {
        let reponse = try await banc.appel(.post, "/v1/pilote/imports", corps: ByteBuffer(bytes: try Pilotes.octets(Pilotes.livre)))
        guard reponse.status == .ok else { throw TestStackError("shipped pilot not imported: \(reponse.texte)") }
    }

    /// Offers BOULANGER in the session (its réglementation service open) and publishes.
    static func publier(_ banc: Banc, _ code: String) async throws {
        try await importerPiloteLivre(banc)
        let offre = try await banc.appel(.put, "/v1/sessions/\(code)/specialites/BOULANGER", json: "{}")
        guard offre.status == .ok else { throw TestStackError("offer refused: \(offre.texte)") }
        let publication = try await banc.appel(.post, "/v1/sessions/\(code)/reglement/publication")
        guard publication.status == .created else { throw TestStackError("publication refused: \(publication.texte)") }
    }
}

@Suite("Local adaptations and the publication of a session's règlement")
struct PublicationTests {
    @Test("adaptations, publication with the full content, closing réglementation only with an up-to-date publication")
    func adaptationsEtPublication() async throws {
        try await Banc.avecService { banc in
            try await Publication.importerPiloteLivre(banc)
            let code = try await banc.nouvelleSession()
            #expect(try await banc.appel(.post, "/v1/sessions/\(code)/reglement/publication").probleme.code == "reglement.service_non_ouvert")
            #expect(try await ServiceEtapeTests.ouvrir(banc, code, .reglementation).status == .ok)
            #expect(try await banc.appel(.post, "/v1/sessions/\(code)/reglement/publication").probleme.code == "reglement.aucune_specialite")

            let coiffure = try await banc.appel(.put, "/v1/sessions/\(code)/specialites/coiffure", json: #"{"options":["u30b"]}"#)
            #expect(coiffure.status == .ok, "\(coiffure.texte)")
            #expect(try coiffure.json(OffreSpecialite.self).options == ["U30B"])
            #expect(try coiffure.json(OffreSpecialite.self).version == 1)
            let optionInconnue = try await banc.appel(.put, "/v1/sessions/\(code)/specialites/COIFFURE", json: #"{"options":["U99"]}"#)
            #expect(try optionInconnue.probleme.code == "option.inconnue")
            #expect(try await banc.appel(.put, "/v1/sessions/\(code)/specialites/INCONNUE", json: "{}").probleme.code == "reglement.inconnu")
            #expect(try await banc.appel(.put, "/v1/sessions/\(code)/specialites/BOULANGER", json: #"{"version":7}"#).probleme.code == "reglement.inconnu")
            #expect(try await banc.appel(.put, "/v1/sessions/\(code)/specialites/BOULANGER", json: "{}").status == .ok)
            #expect(try await banc.appel(.put, "/v1/sessions/\(code)/specialites/ARTS_CUISINE", json: "{}").status == .ok)
            #expect(try await banc.appel(.delete, "/v1/sessions/\(code)/specialites/ARTS_CUISINE").status == .noContent)
            #expect(try await banc.appel(.delete, "/v1/sessions/\(code)/specialites/ARTS_CUISINE").status == .notFound)
            let offres = try await banc.appel(.get, "/v1/sessions/\(code)/specialites", .service).json(ListeOffres.self)
            #expect(offres.items.map(\.specialite) == ["BOULANGER", "COIFFURE"])

            let piecesFausses = try await banc.appel(.put, "/v1/sessions/\(code)/pieces", json: #"{"pieces":[{"code":"ID","libelle":"Pièce d'identité","categories":["martien"]},{"code":"id","libelle":"x","categories":[]}]}"#)
            #expect(piecesFausses.status == .unprocessableContent)
            #expect(try piecesFausses.probleme.details?.map(\.code) == ["piece.categorie", "piece.categorie", "piece.doublon"])
            let pieces = try await banc.appel(.put, "/v1/sessions/\(code)/pieces", json: #"{"pieces":[{"code":"identite","libelle":"Pièce d'identité","categories":["individuel","fpc_prive"]},{"code":"CONTRAT","libelle":"Contrat d'apprentissage","categories":["apprenti_cfa_habilite"],"obligatoire":false}]}"#)
            #expect(pieces.status == .ok, "\(pieces.texte)")

            let publiee = try await banc.appel(.post, "/v1/sessions/\(code)/reglement/publication")
            #expect(publiee.status == .created)
            let contenu = try publiee.json(ReglementPublie.self)
            #expect(contenu.version == 1 && contenu.academie == "A01" && contenu.publiePar == "gestionnaire-test")
            #expect(contenu.specialites.map(\.reglement.specialite) == ["BOULANGER", "COIFFURE"])
            #expect(contenu.specialites[0].reglement.epreuves.count == 7, "the full règlement, not a reference")
            #expect(contenu.specialites[1].optionsOffertes == ["U30B"])
            #expect(contenu.piecesJustificatives.map(\.code) == ["IDENTITE", "CONTRAT"])
            #expect(contenu.piecesJustificatives[0].categories == [.fpcPrive, .individuel])
            #expect(try await banc.evenements(ReglementPublie.self, aggregate: "session:\(code)") == [contenu])
            #expect(try await banc.appel(.get, "/v1/sessions/\(code)/reglement", .service).json(ReglementPublie.self) == contenu)

            #expect(try await ServiceEtapeTests.fermer(banc, code, .reglementation).status == .ok)
            let fermee = try await banc.appel(.put, "/v1/sessions/\(code)/specialites/ARTS_CUISINE", json: "{}")
            #expect(try fermee.status == .conflict && fermee.probleme.code == "reglementation.close")

            // Reopened to change the adaptations: closing again needs a new publication.
            #expect(try await ServiceEtapeTests.ouvrir(banc, code, .reglementation).status == .ok)
            #expect(try await banc.appel(.put, "/v1/sessions/\(code)/specialites/ARTS_CUISINE", json: "{}").status == .ok)
            #expect(try await ServiceEtapeTests.fermer(banc, code, .reglementation).probleme.code == "reglement.publication_perimee")
            let seconde = try await banc.appel(.post, "/v1/sessions/\(code)/reglement/publication").json(ReglementPublie.self)
            #expect(seconde.version == 2 && seconde.specialites.count == 3)
            #expect(try await ServiceEtapeTests.fermer(banc, code, .reglementation).status == .ok)
            #expect(try await banc.evenements(ReglementPublie.self, aggregate: "session:\(code)").map(\.version) == [1, 2])
        }
    }

    @Test("another service's consumer receives reglementation.publiee and builds its own copy, newest version only")
    func consommateurDuReglement() async throws {
        try await Banc.avecService { banc in
            try await Publication.importerPiloteLivre(banc)
            try await Consommateur.avecCopie(
                "reglement_copie",
                table: "CREATE TABLE %@ (session text, specialite text, version int, unites int, coefficients int, PRIMARY KEY (session, specialite))",
                banc: banc,
                handlers: { table in
                    var handlers = MessageHandlers()
                    handlers.on(ReglementPublie.self) { envelope, context in
                        // Its own copy: the newest publication replaces an older one, never the reverse.
                        let p = envelope.payload
                        var binds = PostgresBindings()
                        binds.append(p.session.value)
                        binds.append(p.version)
                        let stale = try await context.connection.query(
                            PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) WHERE session = $1 AND version >= $2", binds: binds), logger: context.logger)
                        for try await _ in stale { return }
                        var suppression = PostgresBindings()
                        suppression.append(p.session.value)
                        try await context.connection.query(
                            PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE session = $1", binds: suppression), logger: context.logger)
                        let unites = p.specialites.map { $0.reglement.epreuves.flatMap(\.unites) }
                        var lignes = PostgresBindings()
                        lignes.append(p.session.value)
                        lignes.append(p.specialites.map(\.reglement.specialite))
                        lignes.append(p.version)
                        lignes.append(unites.map(\.count))
                        lignes.append(unites.map { $0.compactMap(\.coefficient).reduce(0, +) })
                        try await context.connection.query(
                            PostgresQuery(
                                unsafeSQL: "INSERT INTO \(table) SELECT $1, s, $3, u, c FROM UNNEST($2::text[], $4::int[], $5::int[]) AS t(s, u, c)",
                                binds: lignes),
                            logger: context.logger)
                    }
                    return handlers
                }
            ) { copie in
                let code = try await banc.nouvelleSession()
                #expect(try await ServiceEtapeTests.ouvrir(banc, code, .reglementation).status == .ok)
                try await Publication.publier(banc, code)
                #expect(try await TestStack.eventually {
                    try await copie.count("reglement_copie", where: "session = '\(code)' AND specialite = 'BOULANGER' AND version = 1 AND unites = 8 AND coefficients = 28") == 1
                })
                #expect(try await banc.appel(.put, "/v1/sessions/\(code)/specialites/COIFFURE", json: "{}").status == .ok)
                #expect(try await banc.appel(.post, "/v1/sessions/\(code)/reglement/publication").status == .created)
                #expect(try await TestStack.eventually {
                    try await copie.count("reglement_copie", where: "session = '\(code)' AND version = 2") == 2
                })
                #expect(try await copie.count("reglement_copie", where: "session = '\(code)' AND specialite = 'COIFFURE' AND unites = 8") == 1)
                #expect(try await copie.count("reglement_copie", where: "session = '\(code)' AND version = 1") == 0)
            }
        }
    }
}

struct ListeOffres: Decodable { var items: [OffreSpecialite] }
