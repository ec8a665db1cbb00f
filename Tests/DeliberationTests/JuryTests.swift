import Contracts
@testable import Deliberation
import Domain
import Foundation
import HTTPTypes
import MoteurDeliberation
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// Issue 13, the jury: composition and candidates, the gestionnaire's opening, the anonymous
/// projected deliberation, points de jury with their reasons, the closing that arrêts and
/// publishes the results, the PV, the reopening and the journal's chain.
@Suite("Délibération — jurys, séance, clôture et PV")
struct JuryTests {
    struct JuryVu: Decodable {
        var code: String
        var etat: String
        var candidats: Int
        var versionPV: Int
        var avertissements: [String]
    }

    struct Liste<T: Decodable>: Decodable { var items: [T] }

    struct Seance: Decodable {
        var identitesVisibles: Bool
        var candidats: [Candidat]
        struct Candidat: Decodable {
            var numero: String
            var decision: String
            var moyenne: String?
            var limite: Bool
            var pointsDeJury: PointsDeJury?
            var decisionDuJury: Bool
            var nom: String?
        }
    }

    struct Journal: Decodable {
        var verifie: Bool
        var anomalies: [String]
        var entrees: [Entree]
        struct Entree: Decodable { var nature: String; var motif: String? }
    }

    static let unites = ["U10", "U20", "U30", "U41", "U42", "U50", "U60", "U71"]

    /// Three BOULANGER candidates, every grade consolidated: N1 at 14 everywhere, N2 at 9,95
    /// (U60 9,50, the rest 10 — borderline), N3 at 6.
    static func trois(_ banc: Banc, numeros: [String] = ["N1", "N2", "N3"]) async throws -> [CandidatureEtat] {
        let candidats = try numeros.map { try banc.candidature(numero: $0) }
        for candidature in candidats { try await banc.livrer(CandidatureValidee(candidature), producteur: "inscription") }
        for unite in unites {
            try await banc.consolider(unite, [(candidats[0], "14"), (candidats[1], unite == "U60" ? "8,5" : "10"), (candidats[2], "6")])
        }
        return candidats
    }

    static func jury(
        _ code: String, date: String = "2031-07-02", centre: String? = nil,
        membres: String = #"[{"nom": "M. Blé", "qualite": "enseignant"}, {"nom": "Mme Four", "qualite": "professionnel"}]"#
    ) -> String {
        let uai = centre.map { #", "centre": "\#($0)""# } ?? ""
        return #"{"code": "\#(code)", "specialite": "BOULANGER", "date": "\#(date)", "president": "Mme Levain", "membres": \#(membres)\#(uai)}"#
    }

    @Test("composition, balanced répartition, manual moves; parity warned, not blocking")
    func composition() async throws {
        try await Banc.avecService { banc in
            _ = try await Self.trois(banc)
            let base = "/v1/sessions/\(banc.session)/jurys"
            let j1 = try await banc.appel(.post, base, json: Self.jury("J01"))
            #expect(j1.status == .created, "\(j1.texte)")
            #expect(try j1.json(JuryVu.self).avertissements.isEmpty)
            let j2 = try await banc.appel(.post, base, json: Self.jury("j02", membres: #"[{"nom": "M. Blé", "qualite": "enseignant"}]"#))
            #expect(try j2.json(JuryVu.self).code == "J02")
            #expect(try j2.json(JuryVu.self).avertissements.first?.contains("professionnels") == true)
            #expect(try await banc.appel(.post, base, json: Self.jury("J01")).status == .conflict)
            let invalide = try await banc.appel(.post, base, json: #"{"code": "J 3", "specialite": "", "president": "", "date": "2031-02-30"}"#)
            #expect(invalide.status == .unprocessableContent)
            #expect(try Set(invalide.probleme.details?.map(\.location) ?? []) == ["code", "specialite", "president", "date"])

            // In preparation, its centre, day and composition change; its code and spécialité do not.
            let centre = UAIs.valide()
            let modifie = try await banc.appel(.put, "\(base)/J02", json: Self.jury("J02", date: "2031-07-03", centre: centre))
            #expect(modifie.status == .ok, "\(modifie.texte)")
            #expect(try modifie.json(JuryVu.self).avertissements.isEmpty)
            #expect(modifie.texte.contains(centre) && modifie.texte.contains("2031-07-03"))
            #expect(try await banc.appel(.put, "\(base)/J02", json: Self.jury("J03")).status == .unprocessableContent)
            #expect(try await banc.appel(.put, "\(base)/J02", .presidentJury, scopes: ["jury:\(banc.session):J02"],
                                         json: Self.jury("J02")).status == .forbidden)

            let repartition = try await banc.appel(.post, "\(base)/repartition")
            #expect(repartition.status == .ok, "\(repartition.texte)")
            let jurys = try await banc.appel(.get, base).json(Liste<JuryVu>.self).items
            #expect(jurys.map(\.candidats) == [2, 1])
            // Seated already: a second répartition seats nobody.
            #expect(try await banc.appel(.post, "\(base)/repartition").texte.contains(#""affectes":0"#))

            let deplaces = try await banc.appel(.post, "\(base)/J01/candidats", json: #"{"numeros": ["N1", "N2", "N3"]}"#)
            #expect(try deplaces.json(JuryVu.self).candidats == 3)
            let inconnu = try await banc.appel(.post, "\(base)/J01/candidats", json: #"{"numeros": ["N9"]}"#)
            #expect(try inconnu.probleme.code == "candidat.inconnu")

            for role in Role.allCases where role != .gestionnaire {
                #expect(try await banc.appel(.post, base, role, json: Self.jury("J09")).status == .forbidden)
                #expect(try await banc.appel(.post, "\(base)/repartition", role).status == .forbidden)
            }
        }
    }

    @Test("a whole sitting: opening, anonymous projection, points de jury with reasons, closing, PV, reopening, journal")
    func seance() async throws {
        try await Banc.avecService { banc in
            let candidats = try await Self.trois(banc)
            let base = "/v1/sessions/\(banc.session)/jurys"
            _ = try await banc.appel(.post, base, json: Self.jury("J01"))
            _ = try await banc.appel(.post, "\(base)/J01/candidats", json: #"{"numeros": ["N1", "N2", "N3"]}"#)
            let president: Set<String> = ["jury:\(banc.session):J01"]
            func commePresident(_ method: HTTPRequest.Method, _ chemin: String, json: String? = nil) async throws -> ReponseService {
                try await banc.appel(method, "\(base)/J01\(chemin)", .presidentJury, scopes: president, json: json)
            }

            // Another jury's président, or none, sees nothing.
            #expect(try await banc.appel(.get, "\(base)/J01/seance", .presidentJury, scopes: ["jury:\(banc.session):J02"]).status == .forbidden)
            #expect(try await banc.appel(.get, "\(base)/J01/seance", .etablissement).status == .forbidden)

            // Not open yet: the président cannot intervene.
            let tot = try await commePresident(.post, "/interventions", json: #"{"numero": "N3", "decision": "admis", "motif": "Assiduité"}"#)
            #expect(tot.status == .conflict)
            #expect(try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}").json(JuryVu.self).etat == "ouvert")

            // The projected screen: anonymous, sorted by average, the borderline case marked.
            let vue = try await commePresident(.get, "/seance")
            #expect(vue.status == .ok, "\(vue.texte)")
            for identite in ["Martin", "Léa", "2004-03-02", "Lyon"] { #expect(!vue.texte.contains(identite), "\(identite) on screen") }
            let seance = try vue.json(Seance.self)
            #expect(!seance.identitesVisibles)
            #expect(seance.candidats.map(\.numero) == ["N1", "N2", "N3"])
            let n2 = try #require(seance.candidats.first { $0.numero == "N2" })
            // (10 × 29 + 8,5) / 30 = 9,95 : borderline; +0,02 on U10 (coef 12) is the least raise.
            #expect(n2.decision == "ajourne" && n2.moyenne == "9,95" && n2.limite)
            #expect(n2.pointsDeJury?.unite == "U10" && n2.pointsDeJury?.centiemes == 13)

            // A reason is mandatory; a grade can only be raised, and only a grade of this session.
            let sansMotif = try await commePresident(.post, "/interventions", json: #"{"numero": "N2", "unite": "U10", "note": "10,13"}"#)
            #expect(sansMotif.status == .unprocessableContent)
            #expect(try sansMotif.probleme.details?.first?.location == "motif")
            let baisse = try await commePresident(.post, "/interventions", json: #"{"numero": "N2", "unite": "U10", "note": "9", "motif": "Erreur"}"#)
            #expect(try baisse.probleme.code == "intervention.note")
            let point = try await commePresident(.post, "/interventions",
                                                 json: #"{"numero": "N2", "unite": "u10", "note": "10,13", "motif": "Excellent dossier professionnel"}"#)
            #expect(point.status == .ok, "\(point.texte)")
            #expect(try point.json(Seance.Candidat.self).decision == "admis")
            let decision = try await commePresident(.post, "/interventions",
                                                    json: #"{"numero": "N3", "decision": "admis", "motif": "Progression remarquable"}"#)
            #expect(try decision.json(Seance.Candidat.self).decisionDuJury)
            // Only the président acts in the sitting.
            #expect(try await banc.appel(.post, "\(base)/J01/cloture").status == .forbidden)

            let cloture = try await commePresident(.post, "/cloture")
            #expect(cloture.status == .ok, "\(cloture.texte)")
            #expect(cloture.texte.contains(#""versionPV":1"#) && cloture.texte.contains(#""admis":3"#))
            var resultats = try await banc.evenements(ResultatArrete.self)
            #expect(resultats.count == 3 && Set(resultats.map(\.revision)) == [1])
            let arrete = try #require(resultats.first { $0.numero == "N2" })
            #expect(arrete.decision == "admis" && arrete.moyenne == "10.00" && arrete.candidature == candidats[1].id)
            #expect(arrete.unites.first { $0.unite == "U10" }?.pointsDeJury == true)
            #expect(resultats.first { $0.numero == "N3" }?.decisionDuJury == true)
            #expect(try await banc.evenements(JuryClos.self).map(\.versionPV) == [1])

            // Closed: nothing changes, names appear, the PV is signed.
            let apres = try await commePresident(.post, "/interventions", json: #"{"numero": "N1", "unite": "U20", "note": "15", "motif": "Tardif"}"#)
            #expect(apres.status == .conflict)
            let close = try await commePresident(.get, "/seance").json(Seance.self)
            #expect(close.identitesVisibles && close.candidats.first?.nom == "Martin Léa")
            let pv = try await PDF.texte(try await commePresident(.get, "/pv.pdf").octets)
            #expect(pv.contains("Procès-verbal de tenue de délibération") && pv.contains("version 1"))
            #expect(pv.contains("Excellent dossier professionnel") && pv.contains("Martin"))

            // Reopened by the gestionnaire with a reason: a change, a new closing, a new PV version.
            #expect(try await banc.appel(.post, "\(base)/J01/reouverture", json: "{}").status == .unprocessableContent)
            #expect(try await commePresident(.post, "/reouverture", json: #"{"motif": "x"}"#).status == .forbidden)
            #expect(try await banc.appel(.put, "\(base)/J01", json: Self.jury("J01")).status == .conflict, "closed: no change")
            let rouvert = try await banc.appel(.post, "\(base)/J01/reouverture", json: #"{"motif": "Erreur de report sur U20 (N1)"}"#)
            #expect(try rouvert.json(JuryVu.self).etat == "ouvert")
            #expect(try await commePresident(.post, "/interventions",
                                             json: #"{"numero": "N1", "unite": "U20", "note": "15", "motif": "Report corrigé"}"#).status == .ok)
            #expect(try await commePresident(.post, "/cloture").texte.contains(#""versionPV":2"#))
            resultats = try await banc.evenements(ResultatArrete.self)
            #expect(resultats.count == 6 && resultats.filter { $0.revision == 2 }.count == 3)
            let pv2 = try await PDF.texte(try await commePresident(.get, "/pv.pdf").octets)
            #expect(pv2.contains("version 2") && pv2.contains("Report corrigé") && pv2.contains("Erreur de report sur U20"))

            // The journal holds every step, chained; a row altered in the schema is found.
            let journal = try await commePresident(.get, "/journal").json(Journal.self)
            #expect(journal.verifie, "\(journal.anomalies)")
            #expect(journal.entrees.map(\.nature) == ["ouverture", "intervention", "intervention", "cloture", "reouverture", "intervention", "cloture"])
            try await banc.database.query(SQL.query(
                "UPDATE \(banc.database.table("journal")) SET motif = 'Motif réécrit' WHERE seq = 2 AND jury = (SELECT id FROM \(banc.database.table("jurys")) WHERE session = $1)",
                banc.session))
            let altere = try await banc.appel(.get, "\(base)/J01/journal").json(Journal.self)
            #expect(!altere.verifie && altere.anomalies.contains { $0.contains("ligne 2") })
        }
    }

    @Test("the chef de centre de délibération reads and closes his centre's juries, and no other")
    func chefDeCentre() async throws {
        try await Banc.avecService { banc in
            _ = try await Self.trois(banc)
            let (centre, autre) = (UAIs.valide(), UAIs.valide())
            let base = "/v1/sessions/\(banc.session)/jurys"
            #expect(try await banc.appel(.post, base, json: Self.jury("J01", centre: centre)).status == .created)
            #expect(try await banc.appel(.post, base, json: Self.jury("J02", centre: autre)).status == .created)
            _ = try await banc.appel(.post, "\(base)/J01/candidats", json: #"{"numeros": ["N1", "N2", "N3"]}"#)
            _ = try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}")
            let chef: Set<String> = ["uai:\(centre)"]
            let liste = try await banc.appel(.get, base, .chefCentre, scopes: chef).json(Liste<JuryVu>.self)
            #expect(liste.items.map(\.code) == ["J01"])
            #expect(try await banc.appel(.get, "\(base)/J01/seance", .chefCentre, scopes: chef).status == .ok)
            #expect(try await banc.appel(.get, "\(base)/J02/seance", .chefCentre, scopes: chef).status == .forbidden)
            #expect(try await banc.appel(.get, "\(base)/J01/pv.pdf", .chefCentre, scopes: ["uai:\(autre)"]).status == .forbidden)
            // He closes his centre's jury; he gives no points de jury (the président does).
            let point = try await banc.appel(.post, "\(base)/J01/interventions", .chefCentre, scopes: chef,
                                             json: #"{"numero": "N3", "decision": "admis", "motif": "Pas à lui"}"#)
            #expect(point.status == .forbidden)
            #expect(try await banc.appel(.post, "\(base)/J02/cloture", .chefCentre, scopes: chef).status == .forbidden)
            let cloture = try await banc.appel(.post, "\(base)/J01/cloture", .chefCentre, scopes: chef)
            #expect(cloture.status == .ok, "\(cloture.texte)")
            #expect(try await banc.evenements(JuryClos.self).first?.jury == "J01")
        }
    }

    @Test("juries sit only while the deliberation service is open; a closed session is read only")
    func serviceEtSessionClose() async throws {
        try await Banc.avecService(serviceOuvert: false) { banc in
            _ = try await Self.trois(banc)
            let base = "/v1/sessions/\(banc.session)/jurys"
            // Preparing comes before the opening of the service.
            #expect(try await banc.appel(.post, base, json: Self.jury("J01")).status == .created)
            #expect(try await banc.appel(.post, "\(base)/repartition").status == .ok)
            let ferme = try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}")
            #expect(ferme.status == .conflict)
            #expect(try ferme.probleme.code == "deliberation.service_ferme")
            let session = try SessionCode(banc.session)
            try await banc.database.transaction { try await banc.referentiel.ouvrir(.deliberation, session: session, on: $0) }
            #expect(try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}").status == .ok)
            try await banc.database.transaction { try await banc.referentiel.fermer(.deliberation, session: session, on: $0) }
            let cloture = try await banc.appel(.post, "\(base)/J01/cloture", .presidentJury, scopes: ["jury:\(banc.session):J01"])
            #expect(cloture.status == .conflict, "the service closed again: the jury waits")

            try await banc.livrer(SessionClose(session: session, academie: "A01", closePar: "test"), producteur: "reglementation")
            #expect(try await banc.appel(.post, base, json: Self.jury("J02")).status == .conflict)
            #expect(try await banc.appel(.get, base).status == .ok, "the gestionnaire still reads")
            #expect(try await banc.appel(.get, "\(base)/J01/pv.pdf").status == .ok)
        }
    }

    @Test("the dashboard's progress: candidates, juries by state, results arrêtés, the publication step opened")
    func avancement() async throws {
        try await Banc.avecService { banc in
            _ = try await Self.trois(banc, numeros: ["P" + UUID().uuidString.prefix(7), "Q" + UUID().uuidString.prefix(7), "R" + UUID().uuidString.prefix(7)])
            let base = "/v1/sessions/\(banc.session)/jurys"
            _ = try await banc.appel(.post, base, json: Self.jury("J01"))
            _ = try await banc.appel(.post, "\(base)/repartition")
            _ = try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}")
            #expect(try await banc.appel(.post, "\(base)/J01/cloture", .presidentJury, scopes: ["jury:\(banc.session):J01"]).status == .ok)
            // The candidate's result is Publication's (after its reconciliation), not this service's.
            #expect(try await banc.appel(.get, "/v1/candidats/P1/resultat", .candidat, scopes: ["candidat:P1"]).status == .notFound)

            struct Avancement: Decodable { var candidats: Int; var repartis: Int; var jurysClos: Int; var resultatsArretes: Int; var admis: Int; var resultatsPublies: Bool }
            var avancement = try await banc.appel(.get, "/v1/sessions/\(banc.session)/avancement").json(Avancement.self)
            #expect(avancement.candidats == 3 && avancement.repartis == 3 && avancement.jurysClos == 1)
            #expect(avancement.resultatsArretes == 3 && avancement.admis == 1 && !avancement.resultatsPublies)
            let session = try SessionCode(banc.session)
            try await banc.livrer(ServiceOuvert(session: session, service: .publication, ouvertPar: "test"), producteur: "reglementation")
            try await banc.livrer(ServiceFerme(session: session, service: .publication, fermePar: "test"), producteur: "reglementation")
            avancement = try await banc.appel(.get, "/v1/sessions/\(banc.session)/avancement").json(Avancement.self)
            #expect(avancement.resultatsPublies, "closing the step later does not undo the publication")
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/avancement", .presidentJury).status == .forbidden)
        }
    }

    @Test("a jury with missing grades opens only with the gestionnaire's reason, and cannot close while they miss")
    func notesManquantes() async throws {
        try await Banc.avecService { banc in
            let lea = try banc.candidature(numero: "N7")
            try await banc.livrer(CandidatureValidee(lea), producteur: "inscription")
            for unite in Self.unites where unite != "U30" { try await banc.consolider(unite, [(lea, "12")]) }
            let base = "/v1/sessions/\(banc.session)/jurys"
            _ = try await banc.appel(.post, base, json: Self.jury("J01"))
            #expect(try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}").status == .conflict, "no candidate yet")
            _ = try await banc.appel(.post, "\(base)/repartition")
            let refus = try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}")
            #expect(try refus.probleme.code == "jury.notes_manquantes")
            #expect(try refus.probleme.details?.first?.message.contains("U30") == true)
            let ouvert = try await banc.appel(.post, "\(base)/J01/ouverture", json: #"{"motif": "Copies U30 égarées, jury convoqué"}"#)
            #expect(try ouvert.json(JuryVu.self).etat == "ouvert")
            let cloture = try await banc.appel(.post, "\(base)/J01/cloture", .presidentJury, scopes: ["jury:\(banc.session):J01"])
            #expect(try cloture.probleme.code == "jury.incomplet")
            try await banc.consolider("U30", [(lea, "11")])
            let close = try await banc.appel(.post, "\(base)/J01/cloture", .presidentJury, scopes: ["jury:\(banc.session):J01"])
            #expect(close.status == .ok, "\(close.texte)")
        }
    }
}
