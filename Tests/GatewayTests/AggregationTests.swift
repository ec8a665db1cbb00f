import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport
@testable import Gateway

/// The aggregates with services up, down and silent: they answer within the deadline and name
/// what is missing.
@Suite("Gateway aggregation, degraded")
struct AggregationTests {
    struct Partie: Decodable {
        var service: String
        var etat: String
        var raison: String?
    }

    struct Agregat: Decodable {
        var parties: [String: Partie]
        var manquants: [Partie]
        var complet: Bool
    }

    @Test("a candidate's file answers with one service silent (500 ms deadline) and others stopped, naming each missing part")
    func dossier() async throws {
        let muet = try PortsDeTest.Muet()
        try await ServicesEnAval.reglementation { reglementation in
            // Inscription points at a live service (Réglementation, which has no candidature
            // route: it answers 404, a part with nothing to show); Organisation never answers;
            // Évaluation is stopped (closed port).
            try await Passerelle.avec(
                services: ["reglementation": reglementation, "inscription": reglementation, "organisation": muet.url],
                timeouts: ["organisation": .milliseconds(500)]
            ) { p in
                let ine = Passerelle.unique("ine")
                let candidat = try await p.jeton(try await p.compte(.candidat, habilitations: ["candidat:\(ine)"]))
                let debut = ContinuousClock.now
                let reponse = try await p.appel(.get, "/api/v1/candidats/\(ine)/dossier", jeton: candidat)
                let duree = ContinuousClock.now - debut
                // The silent service never answers: an answer at all shows its deadline ended
                // the wait (no upper bound in seconds: the machine's speed is not under test).
                #expect(reponse.status == .ok, "\(reponse.texte)")
                #expect(duree >= .milliseconds(400), "the silent service was waited for up to its timeout: \(duree)")
                let agregat = try reponse.json(Agregat.self)
                #expect(!agregat.complet)
                #expect(Set(agregat.parties.keys) == ["candidature", "convocation", "notes", "resultat", "documents"])
                #expect(agregat.parties["candidature"]?.etat == "absent")
                #expect(agregat.parties["convocation"]?.etat == "indisponible")
                #expect(agregat.parties["convocation"]?.raison == "délai dépassé")
                for partie in ["notes", "resultat", "documents"] {
                    #expect(agregat.parties[partie]?.etat == "indisponible", "\(partie)")
                    #expect(agregat.parties[partie]?.raison == "ne répond pas", "\(partie)")
                }
                #expect(agregat.manquants.map(\.service) == ["evaluation", "organisation", "publication", "publication"])
                #expect(agregat.manquants.allSatisfy { $0.etat == "indisponible" && !($0.raison ?? "").isEmpty })

                // Several at once: each waits on its own deadline and answers the same.
                try await withThrowingTaskGroup(of: Agregat.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            let reponse = try await p.appel(.get, "/api/v1/candidats/\(ine)/dossier", jeton: candidat)
                            #expect(reponse.status == .ok)
                            return try reponse.json(Agregat.self)
                        }
                    }
                    for try await agregat in group {
                        #expect(agregat.parties["convocation"]?.raison == "délai dépassé")
                    }
                }
            }
        }
    }

    @Test("a session dashboard carries the live service's data and names the parts that are down")
    func tableauDeBord() async throws {
        let muet = try PortsDeTest.Muet()
        try await ServicesEnAval.reglementation { reglementation in
            try await Passerelle.avec(
                services: ["reglementation": reglementation, "evaluation": muet.url],
                timeouts: ["evaluation": .seconds(1)]
            ) { p in
                let gestionnaire = try await p.compte(.gestionnaire)
                let jeton = try await p.jeton(gestionnaire)
                let code = try await SessionsDeTest.reserver(annees: 2040...2099)
                let ouverte = try await p.appel(.post, "/api/v1/reglementation/sessions", jeton: jeton, json: Passerelle.json(
                    ["code": code, "academie": "A01", "libelle": "Tableau de bord"]))
                #expect(ouverte.status == .created, "\(ouverte.texte)")

                let reponse = try await p.appel(.get, "/api/v1/sessions/\(code)/tableau-de-bord", jeton: jeton)
                #expect(reponse.status == .ok, "\(reponse.texte)")
                let agregat = try reponse.json(Agregat.self)
                #expect(agregat.parties["session"]?.etat == "disponible")
                let parties = try #require(try reponse.objet["parties"] as? [String: Any])
                let session = try #require(parties["session"] as? [String: Any])
                let donnees = try #require(session["donnees"] as? [String: Any])
                #expect(donnees["code"] as? String == code)
                #expect(donnees["ouvertePar"] as? String == gestionnaire.id)
                #expect(agregat.parties["notes"]?.raison == "délai dépassé")
                #expect(agregat.manquants.map(\.service) == ["deliberation", "evaluation", "inscription", "organisation", "publication"])
                #expect(!agregat.complet)

                let candidat = try await p.jeton(try await p.compte(.candidat, habilitations: ["candidat:ine2"]))
                #expect(try await p.appel(.get, "/api/v1/sessions/\(code)/tableau-de-bord", jeton: candidat).status == .forbidden)
            }
        }
    }
}
