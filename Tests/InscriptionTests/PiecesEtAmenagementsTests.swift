import Contracts
import Domain
import Foundation
@testable import Inscription
import ServiceKit
import Testing
import TestSupport

@Suite("Inscription: pièces justificatives and aménagements")
struct PiecesEtAmenagementsTests {
    static let pdf = Array("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".utf8)
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]

    struct Dossier: Decodable {
        struct Attendue: Decodable { var type: String; var statut: String; var obligatoire: Bool }
        var attendues: [Attendue]
        var deposees: [Piece]
    }

    @Test("upload: type sniffed from the content, size limit, status, served only to who it concerns")
    func pieces() async throws {
        try await Banc.avecService { banc in
            let c = try await banc.creer(Saisies.candidature(uai: banc.cfa))
            let chemin = "/v1/candidatures/\(c.id.uuidString)/pieces"
            let faux = try await banc.etab(.post, "\(chemin)?type=CONTRAT&nom=contrat.pdf", banc.cfa, corps: Array("<html>pas un pdf</html>".utf8))
            #expect(faux.status == .unsupportedMediaType)
            #expect(try faux.probleme.code == "piece.format")
            let typeInconnu = try await banc.etab(.post, "\(chemin)?type=PASSEPORT&nom=x.pdf", banc.cfa, corps: Self.pdf)
            #expect(try typeInconnu.probleme.code == "piece.type")
            let tropGrand = try await banc.etab(.post, "\(chemin)?type=CONTRAT&nom=x.pdf", banc.cfa, corps: Self.pdf + [UInt8](repeating: 32, count: 5 << 20))
            #expect(tropGrand.status == .contentTooLarge)
            #expect(try await banc.database.count("pieces", where: "candidature = '\(c.id.uuidString)'") == 0, "nothing kept from refused uploads")

            // The client calls it contrat.pdf: it is a PNG, and it is stored as one; its path is dropped.
            let depot = try await banc.etab(.post, "\(chemin)?type=CONTRAT&nom=..%2F..%2Fetc%2Fcontrat.pdf", banc.cfa, corps: Self.png)
            #expect(depot.status == .created, "\(depot.texte)")
            let piece = try depot.json(Piece.self)
            #expect(piece.mediaType == "image/png" && piece.nomFichier == "contrat.pdf" && piece.statut == "recue" && piece.taille == Self.png.count)

            let dossier = try await banc.etab(.get, chemin, banc.cfa).json(Dossier.self)
            #expect(dossier.attendues.map(\.type).sorted() == ["CONTRAT", "IDENTITE"])
            #expect(dossier.attendues.first { $0.type == "CONTRAT" }?.statut == "recue")
            #expect(dossier.attendues.first { $0.type == "IDENTITE" }?.statut == "attendue")

            let contenu = "/v1/pieces/\(piece.id.uuidString)/contenu"
            let lu = try await banc.etab(.get, contenu, banc.cfa)
            #expect(lu.status == .ok && Array(buffer: lu.corps) == Self.png && lu.headers[.contentType] == "image/png")
            #expect(try await banc.appel(.get, contenu).status == .ok, "the gestionnaire")
            #expect(try await banc.etab(.get, contenu, banc.prive).status == .forbidden, "another établissement")
            #expect(try await banc.appel(.get, contenu, .admin, sujet: "admin").status == .forbidden, "not even an admin")
            #expect(try await banc.appel(.get, contenu, .candidat, sujet: "quelqu-un").status == .forbidden, "another candidate")
            #expect(try await banc.appel(.get, contenu, .candidat, scopes: ["candidat:\(c.numero)", "uai:\(banc.cfa)"], sujet: "lui").status == .ok, "the candidate himself (his papillon account)")

            let decision = "/v1/pieces/\(piece.id.uuidString)/decision"
            #expect(try await banc.etab(.post, decision, banc.cfa, json: #"{"statut":"acceptee"}"#).status == .forbidden)
            #expect(try await banc.appel(.post, decision, json: #"{"statut":"refusee"}"#).probleme.code == "piece.motif")
            let refusee = try await banc.appel(.post, decision, json: #"{"statut":"refusee","motif":"Contrat non signé par l'employeur"}"#).json(Piece.self)
            #expect(refusee.statut == "refusee" && refusee.motifRefus == "Contrat non signé par l'employeur")
            let apres = try await banc.etab(.get, chemin, banc.cfa).json(Dossier.self)
            #expect(apres.attendues.first { $0.type == "CONTRAT" }?.statut == "refusee")
        }
    }

    @Test("aménagement: request with its medical opinion, the gestionnaire's decision, notified and carried by the candidature")
    func amenagement() async throws {
        try await Banc.avecService { banc in
            let c = try await banc.creer(Saisies.candidature(uai: banc.cfa))
            #expect(try await banc.valider(c.id).status == .ok)
            let demandes = "/v1/candidatures/\(c.id.uuidString)/amenagements"
            let sansAvis = try await banc.etab(.post, demandes, banc.cfa, json: #"{"types":["temps_majore"],"motif":"Dyslexie"}"#)
            #expect(try sansAvis.probleme.code == "amenagement.avis")
            let autrePiece = try await banc.etab(.post, "/v1/candidatures/\(c.id.uuidString)/pieces?type=IDENTITE&nom=id.pdf", banc.cfa, corps: Self.pdf).json(Piece.self)
            let mauvaisAvis = try await banc.etab(.post, demandes, banc.cfa, json: #"{"types":["temps_majore"],"motif":"Dyslexie","avis":"\#(autrePiece.id.uuidString)"}"#)
            #expect(try mauvaisAvis.probleme.code == "amenagement.avis")
            let avis = try await banc.etab(.post, "/v1/candidatures/\(c.id.uuidString)/pieces?type=AVIS_MEDICAL&nom=avis.pdf", banc.cfa, corps: Self.pdf).json(Piece.self)
            let demande = try await banc.etab(.post, demandes, banc.cfa,
                                              json: #"{"types":["temps_majore","salle_separee","vol"],"motif":"Dyslexie sévère","avis":"\#(avis.id.uuidString)"}"#)
            #expect(try demande.probleme.details?.map(\.location) == ["types[2]"])
            let creee = try await banc.etab(.post, demandes, banc.cfa,
                                            json: #"{"types":["temps_majore","salle_separee"],"motif":"Dyslexie sévère","avis":"\#(avis.id.uuidString)"}"#)
            #expect(creee.status == .created)
            let amenagement = try creee.json(Amenagement.self)
            #expect(amenagement.etat == "demande" && amenagement.numero == c.numero)

            struct PageA: Decodable { var items: [Amenagement]; var total: Int }
            let guichet = try await banc.appel(.get, "/v1/sessions/\(banc.session)/amenagements?etat=demande").json(PageA.self)
            #expect(guichet.items.map(\.id) == [amenagement.id])
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/amenagements", banc.prive).json(PageA.self).total == 0)
            #expect(try await banc.etab(.get, "/v1/sessions/\(banc.session)/candidatures?amenagement=oui", banc.cfa).json(PageCandidatures.self).total == 1)

            let decision = "/v1/amenagements/\(amenagement.id.uuidString)/decision"
            #expect(try await banc.etab(.post, decision, banc.cfa, json: #"{"decision":"accorde"}"#).status == .forbidden)
            let incomplete = try await banc.appel(.post, decision, json: #"{"decision":"accorde_partiellement","mesures":[{"type":"temps_majore"}]}"#)
            #expect(try incomplete.probleme.details?.map(\.location) == ["mesures[0].majorationPourcent", "motivation"])
            let decidee = try await banc.appel(.post, decision, json: #"{"decision":"accorde_partiellement","mesures":[{"type":"temps_majore","majorationPourcent":33}],"motivation":"La salle séparée n'est pas justifiée par l'avis."}"#)
            #expect(decidee.status == .ok, "\(decidee.texte)")
            #expect(try await banc.appel(.post, decision, json: #"{"decision":"refuse","motivation":"x"}"#).probleme.code == "amenagement.deja_decide")

            let notifications = try await banc.evenements(AmenagementDecide.self, aggregate: c.id)
            #expect(notifications.count == 1)
            #expect(notifications.first?.decision == .accordePartiellement && notifications.first?.etablissement?.value == banc.cfa)
            #expect(notifications.first?.mesures == [MesureAmenagement(type: .tempsMajore, majorationPourcent: 33)])
            let modifiee = try await banc.evenements(CandidatureModifiee.self, aggregate: c.id)
            #expect(modifiee.last?.amenagements == [MesureAmenagement(type: .tempsMajore, majorationPourcent: 33)])
            let relue = try await banc.appel(.get, "/v1/candidatures/\(c.id.uuidString)").json(Candidature.self)
            #expect(relue.etat == .modifiee && relue.amenagements.count == 1)
            let texte = try await PDF.texte(Array(buffer: try await banc.appel(.get, "/v1/candidatures/\(c.id.uuidString)/confirmation").corps))
            #expect(texte.contains("majoration du temps (+33 %)") && texte.contains("version 2"))
        }
    }

    @Test("the réglementation copy: an older règlement or centre revision arriving late changes nothing; the service closing stops registration")
    func referentiel() async throws {
        try await Banc.avecService { banc in
            let session = try SessionCode(banc.session)
            var v2 = Reglements.publication(session, version: 2)
            v2.specialites = []
            try await banc.database.transaction { connection in
                try await banc.referentiel.enregistrer(v2, on: connection)
                try await banc.referentiel.enregistrer(Reglements.publication(session, version: 1), on: connection)
            }
            struct Offre: Decodable { var reglementVersion: Int?; var specialites: [Specialite]; var servicesOuverts: [String]; struct Specialite: Decodable { var code: String } }
            let offre = try await banc.appel(.get, "/v1/sessions/\(banc.session)/offre", .candidat, sujet: "x").json(Offre.self)
            #expect(offre.reglementVersion == 2 && offre.specialites.isEmpty)
            try await banc.database.transaction { connection in
                try await banc.referentiel.fermer(.inscriptionEtablissement, session: session, on: connection)
            }
            let ferme = try await banc.etab(.post, "/v1/sessions/\(banc.session)/candidatures", banc.cfa, json: Saisies.candidature(uai: banc.cfa))
            #expect(try ferme.probleme.code == "inscription.service_ferme")
        }
    }
}

