import Contracts
@testable import Deliberation
import Domain
import Foundation
import MoteurDeliberation
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// Issue 13, must show: the forme progressive end to end through the service — a candidate sits
/// part of the units at a first session (« en cours »: the jury closes, the units he keeps are
/// published), the rest at the next one with the earlier grades carried as Inscription records
/// them (bénéfice ≥ 10, note reportée < 10), and is decided admis from the whole.
@Suite("Délibération — forme progressive sur deux sessions")
struct FormeProgressiveTests {
    static let autres = ["U30", "U41", "U42", "U50", "U60", "U71"]

    @Test("first session: U10 and U20 sat, en cours; next session: the rest sat, U10 and U20 carried, admis")
    func deuxSessions() async throws {
        try await Banc.avecService(annees: 2030...2090) { banc in
            let premiere = try SessionCode(banc.session)
            let lea = try banc.candidature(
                numero: "P1", forme: .progressive, situations: Dictionary(uniqueKeysWithValues: Self.autres.map { ($0, .ulterieure) }))
            try await banc.livrer(CandidatureValidee(lea), producteur: "inscription")
            try await banc.consolider("U10", [(lea, "14")])
            try await banc.consolider("U20", [(lea, "8")])
            let base = "/v1/sessions/\(banc.session)/jurys"
            let president: Set<String> = ["jury:\(banc.session):J01"]
            _ = try await banc.appel(.post, base, json: JuryTests.jury("J01", date: "\(premiere.annee)-07-02"))
            _ = try await banc.appel(.post, "\(base)/repartition")
            #expect(try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}").status == .ok)
            #expect(try await banc.appel(.post, "\(base)/J01/cloture", .presidentJury, scopes: president).status == .ok)
            let juin = try #require(try await banc.evenements(ResultatArrete.self).first)
            #expect(juin.decision == "en_cours" && juin.attestationDeReussite)
            #expect(juin.acquis.map(\.unite) == ["U10"] && juin.reportables.map(\.unite) == ["U20"])
            #expect(juin.acquis.first?.obtenueLe == "\(premiere.annee)-07-02" && juin.acquis.first?.valableJusquAu == "\(premiere.annee + 5)-07-02")

            // The next session: Inscription carries what the relevé gives (the published result).
            let annee = premiere.annee + 1
            let suivante = try SessionCode(try await SessionsDeTest.reserver(annees: annee...annee))
            try await banc.database.transaction { connection in
                try await banc.referentiel.enregistrer(
                    SessionOuverte(session: suivante, academie: "A01", libelle: "Session suivante", ouvertePar: "test"), on: connection)
                try await banc.referentiel.enregistrer(Banc.reglement(suivante), on: connection)
                try await banc.referentiel.ouvrir(.deliberation, session: suivante, on: connection)
            }
            var seconde = try banc.candidature(numero: "P1", forme: .progressive, revision: 1,
                                               situations: ["U10": .benefice, "U20": .reportee])
            seconde.session = suivante
            for index in seconde.unites.indices {
                guard let garde = (juin.acquis + juin.reportables).first(where: { $0.unite == seconde.unites[index].code }) else { continue }
                seconde.unites[index].noteConservee = try Note.parse(garde.note, pas: .centieme).centiemes
                seconde.unites[index].sessionOrigine = garde.session
                seconde.unites[index].obtenueLe = garde.obtenueLe
            }
            try await banc.livrer(CandidatureValidee(seconde), producteur: "inscription")
            let projection = Projection(referentiel: banc.referentiel, dossiers: DossierRepository(database: banc.database))
            var lignes = try await projection.projeter(session: suivante, date: try Jour(annee, 7, 2))
            #expect(lignes.first?.deliberation?.decision == .incomplet, "the units of this session are not graded yet")

            for unite in Self.autres {
                let numero = "AN" + UUID().uuidString.prefix(8)
                try await banc.livrer(NotesConsolidees(
                    session: suivante, specialite: "BOULANGER", epreuve: "E", unite: unite,
                    notes: [.init(numeroAnonymat: numero, note: try Note.parse("11", pas: .centieme))]), producteur: "evaluation")
                try await banc.livrer(AnonymatLeve(
                    session: suivante, unite: unite, correspondances: [.init(numeroAnonymat: numero, candidature: seconde.id, numeroCandidat: "P1")]),
                    producteur: "organisation")
            }
            lignes = try await projection.projeter(session: suivante, date: try Jour(annee, 7, 2))
            let decision = try #require(lignes.first?.deliberation)
            // (14 × 12 + 8 × 3 + 11 × 15) / 30 = 357 / 30 = 11,90
            #expect(decision.decision == .admis && decision.moyenne?.affichage == "11,90")
            #expect(decision.unites.first { $0.unite == "U10" }?.statut == .beneficeReporte)
            #expect(decision.unites.first { $0.unite == "U20" }?.statut == .noteReportee)
            #expect(decision.unites.first { $0.unite == "U20" }?.sessionDOrigine == premiere)
        }
    }
}
