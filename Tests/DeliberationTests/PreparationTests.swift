import Contracts
@testable import Deliberation
import Domain
import Foundation
import MoteurDeliberation
import ServiceKit
import ServiceTestSupport
import Testing

/// Issue 13, the copy and the preparation: candidatures, consolidated grades and the anonymity
/// link, fed as the consumer handles them, make each candidate's dossier; the gestionnaire sees
/// who lacks what and the projected statistics before any jury opens.
@Suite("Délibération — copie des événements et préparation")
struct PreparationTests {
    struct Manquantes: Decodable {
        var candidats: Int
        var complets: Int
        var parUnite: [ParUnite]
        var items: [Candidat]
        var total: Int
        struct ParUnite: Decodable, Equatable { var unite: String; var manquantes: Int }
        struct Candidat: Decodable { var numero: String; var manques: [Manque] }
        struct Manque: Decodable, Equatable { var unite: String; var motif: String }
    }

    struct Statistiques: Decodable {
        var candidats: Int
        var parDecision: [Effectif]
        var distribution: [Effectif]
        var parSpecialite: [Taux]
        var parEtablissement: [Taux]
        struct Effectif: Decodable { var cle: String; var effectif: Int }
        struct Taux: Decodable { var cle: String; var candidats: Int; var decides: Int; var admis: Int; var taux: String }
    }

    static let unites = ["U10", "U20", "U30", "U41", "U42", "U50", "U60", "U71"]

    func projection(_ banc: Banc) -> Projection {
        Projection(referentiel: banc.referentiel, dossiers: DossierRepository(database: banc.database))
    }

    @Test("a candidature and its consolidated grades make the dossier the engine decides; revisions and cancellation kept")
    func dossier() async throws {
        try await Banc.avecService { banc in
            let lea = try banc.candidature(numero: "N0001")
            try await banc.livrer(CandidatureValidee(lea), producteur: "inscription")
            for unite in Self.unites { try await banc.consolider(unite, [(lea, unite == "U10" ? "12,5" : "10")]) }

            let jour = try Jour(2031, 7, 2)
            let session = try SessionCode(banc.session)
            var lignes = try await projection(banc).projeter(session: session, date: jour)
            let deliberation = try #require(lignes.first?.deliberation)
            // (12,5 × 12 + 10 × 18) / 30 = 330 / 30 = 11
            #expect(deliberation.decision == .admis && deliberation.moyenne?.affichage == "11,00")
            #expect(lignes.first?.manques == [])

            // Revision 2 (forme progressive) replaces it; a late revision 1 changes nothing.
            try await banc.livrer(CandidatureModifiee(try banc.candidature(numero: "N0001", forme: .progressive, revision: 2, id: lea.id)),
                                  producteur: "inscription")
            try await banc.livrer(CandidatureValidee(lea), producteur: "inscription")
            lignes = try await projection(banc).projeter(session: session, date: jour)
            #expect(lignes.first?.dossier.forme == .progressive)

            // Cancelled: out of the deliberation, whatever comes after.
            try await banc.livrer(CandidatureAnnulee(id: lea.id, numero: "N0001", session: session, motif: "désistement",
                                                     annuleePar: "test", revision: 3), producteur: "inscription")
            try await banc.livrer(CandidatureModifiee(try banc.candidature(numero: "N0001", revision: 4, id: lea.id)), producteur: "inscription")
            #expect(try await projection(banc).projeter(session: session, date: jour).isEmpty)
        }
    }

    @Test("a unit consolidated again replaces its grades; an older consolidation arriving late changes nothing")
    func reconsolidation() async throws {
        try await Banc.avecService { banc in
            let lea = try banc.candidature(numero: "N0002")
            try await banc.livrer(CandidatureValidee(lea), producteur: "inscription")
            for unite in Self.unites { try await banc.consolider(unite, [(lea, "10")]) }
            let maintenant = Date()
            try await banc.consolider("U10", [(lea, "15")], le: maintenant.addingTimeInterval(60))
            try await banc.consolider("U10", [(lea, "5")], le: maintenant.addingTimeInterval(-60))
            let lignes = try await projection(banc).projeter(session: try SessionCode(banc.session), date: try Jour(2031, 7, 2))
            let u10 = try Centiemes(1500)
            #expect(lignes.first?.deliberation?.unites.first { $0.unite == "U10" }?.note == u10)
        }
    }

    @Test("a bénéfice carries its grade, session and day into the engine")
    func benefice() async throws {
        try await Banc.avecService { banc in
            let lea = try banc.candidature(numero: "N0003", situations: ["U20": .benefice], beneficeU20: (1400, "BP-2029-06-N", "2029-07-03"))
            try await banc.livrer(CandidatureValidee(lea), producteur: "inscription")
            for unite in Self.unites where unite != "U20" { try await banc.consolider(unite, [(lea, "10")]) }
            let lignes = try await projection(banc).projeter(session: try SessionCode(banc.session), date: try Jour(2031, 7, 2))
            let u20 = try #require(lignes.first?.deliberation?.unites.first { $0.unite == "U20" })
            let (quatorze, origine) = (try Centiemes(1400), try SessionCode("BP-2029-06-N"))
            #expect(u20.statut == .beneficeReporte && u20.note == quatorze)
            #expect(u20.sessionDOrigine == origine)
        }
    }

    @Test("missing grades: who lacks what, by unit, paged; the statistics of the projected decisions")
    func manquantesEtStatistiques() async throws {
        try await Banc.avecService { banc in
            let uai = UAIs.valide()
            let admis = try banc.candidature(numero: "N0010", etablissement: uai)
            let ajourne = try banc.candidature(numero: "N0011", etablissement: uai)
            let incomplet = try banc.candidature(numero: "N0012")
            for candidature in [admis, ajourne, incomplet] {
                try await banc.livrer(CandidatureValidee(candidature), producteur: "inscription")
            }
            for unite in Self.unites {
                var notes = [(admis, "14"), (ajourne, "6")]
                if unite != "U20" && unite != "U30" { notes.append((incomplet, "10")) }
                try await banc.consolider(unite, notes)
            }

            let reponse = try await banc.appel(.get, "/v1/sessions/\(banc.session)/notes-manquantes")
            #expect(reponse.status == .ok, "\(reponse.texte)")
            let manquantes = try reponse.json(Manquantes.self)
            #expect(manquantes.candidats == 3 && manquantes.complets == 2 && manquantes.total == 1)
            #expect(manquantes.parUnite == [.init(unite: "U20", manquantes: 1), .init(unite: "U30", manquantes: 1)])
            #expect(manquantes.items.map(\.numero) == ["N0012"])
            #expect(manquantes.items.first?.manques.first == .init(unite: "U20", motif: "note non consolidée"))
            let page2 = try await banc.appel(.get, "/v1/sessions/\(banc.session)/notes-manquantes?page=2&taille=1").json(Manquantes.self)
            #expect(page2.items.isEmpty && page2.total == 1)
            #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/notes-manquantes?taille=0").status == .unprocessableContent)

            let statistiques = try await banc.appel(.get, "/v1/sessions/\(banc.session)/statistiques").json(Statistiques.self)
            #expect(statistiques.candidats == 3)
            let decisions = Dictionary(uniqueKeysWithValues: statistiques.parDecision.map { ($0.cle, $0.effectif) })
            #expect(decisions == ["admis": 1, "ajourne": 1, "incomplet": 1, "en_cours": 0, "absent": 0])
            #expect(statistiques.distribution.first { $0.cle == "14–15" }?.effectif == 1)
            #expect(statistiques.distribution.first { $0.cle == "6–7" }?.effectif == 1)
            let etablissement = try #require(statistiques.parEtablissement.first { $0.cle == uai })
            #expect(etablissement.candidats == 2 && etablissement.admis == 1 && etablissement.taux == "50,0 %")
            #expect(statistiques.parEtablissement.first { $0.cle == "Grand Public" }?.taux == "—")

            for role in Role.allCases where ![.gestionnaire, .admin].contains(role) {
                #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/statistiques", role).status == .forbidden)
                #expect(try await banc.appel(.get, "/v1/sessions/\(banc.session)/notes-manquantes", role).status == .forbidden)
            }
        }
    }
}
