import AMQP
import Contracts
import Domain
import Foundation
import Messaging
import PostgresNIO
@testable import Reglementation
import ServiceKit
import Storage
import Testing
import TestSupport

extension Banc {
    /// What the consumer records from organisation's `organisation.terminee`.
    func organisationTerminee(_ code: String) async throws {
        let avancement = AvancementEtapes(database: database)
        try await database.transaction { connection in
            try await avancement.enregistrer(
                OrganisationTerminee(session: try SessionCode(code), candidats: 12, epreuvesPlacees: 48, terminePar: "gestionnaire-test"),
                le: Date(), on: connection)
        }
    }

    /// What the consumer records from evaluation's `evaluation.lots.crees` and `evaluation.lot.verrouille`.
    func lots(_ code: String, unite: String, _ lots: [UUID]) async throws {
        let avancement = AvancementEtapes(database: database)
        try await database.transaction { connection in
            try await avancement.enregistrer(
                LotsCrees(session: try SessionCode(code), unite: unite,
                          lots: lots.enumerated().map { .init(lot: $1.uuidString.lowercased(), numero: $0 + 1) }),
                le: Date(), on: connection)
        }
    }

    func verrou(_ code: String, unite: String, _ lot: UUID, _ verrouille: Bool, le: Date = Date()) async throws {
        let avancement = AvancementEtapes(database: database)
        try await database.transaction { connection in
            try await avancement.enregistrer(
                LotVerrouille(session: try SessionCode(code), lot: lot.uuidString.lowercased(), unite: unite, copies: 10,
                              verrouille: verrouille, par: "correcteur", motif: nil),
                le: le, on: connection)
        }
    }

    /// A session whose réglementation and inscriptions are closed (organisation may open).
    func sessionJusquaOrganisation() async throws -> String {
        let code = try await nouvelleSession()
        #expect(try await appel(.post, "/v1/sessions/\(code)/services/reglementation/ouverture").status == .ok)
        try await Publication.publier(self, code)
        for (service, action) in [("reglementation", "fermeture"), ("inscription_etablissement", "ouverture"), ("inscription_grand_public", "ouverture"),
                                  ("inscription_etablissement", "fermeture"), ("inscription_grand_public", "fermeture")] {
            let reponse = try await appel(.post, "/v1/sessions/\(code)/services/\(service)/\(action)")
            guard reponse.status == .ok else { throw TestStackError("\(service) \(action): \(reponse.texte)") }
        }
        return code
    }
}

/// Issue 12, point 12: closing a step means its work is done, as the step's own service
/// reported it in its messages; IMAG'IN is told of a step's end once.
@Suite("Closing a step: its work done, IMAG'IN told once")
struct FermetureEtapesTests {
    static func fermer(_ banc: Banc, _ code: String, _ service: ServiceEtape) async throws -> Banc.Reponse {
        try await banc.appel(.post, "/v1/sessions/\(code)/services/\(service.rawValue)/fermeture")
    }

    static func ouvrir(_ banc: Banc, _ code: String, _ service: ServiceEtape) async throws -> Banc.Reponse {
        try await banc.appel(.post, "/v1/sessions/\(code)/services/\(service.rawValue)/ouverture")
    }

    @Test("closing organisation before its service declared the organisation finished is refused, saying what is missing; then it closes")
    func organisationNonTerminee() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.sessionJusquaOrganisation()
            #expect(try await Self.ouvrir(banc, code, .organisation).status == .ok)
            let refus = try await Self.fermer(banc, code, .organisation)
            #expect(refus.status == .conflict)
            #expect(try refus.probleme.code == "service.travail_inacheve")
            #expect(try refus.probleme.message.contains("ne peut pas être fermé"))
            #expect(try refus.probleme.details?.map(\.location) == ["organisation.terminee"])
            #expect(try refus.probleme.details?.first?.message.contains("n'a pas déclaré l'organisation terminée") == true)
            #expect(try await banc.evenements(ServiceFerme.self, aggregate: "session:\(code)").map(\.service).contains(.organisation) == false,
                    "a refusal writes no event")
            try await banc.organisationTerminee(code)
            #expect(try await Self.fermer(banc, code, .organisation).status == .ok)
            #expect(try await banc.evenements(EtapeTerminee.self, aggregate: "session:\(code)").map(\.etape) == [.reglementation, .organisation])
        }
    }

    @Test("closing collecte_notes while lots are unlocked is refused with the list of them; an unlock redelivered late changes nothing; all locked, it closes")
    func collecteAvecLotsOuverts() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.sessionJusquaOrganisation()
            #expect(try await Self.ouvrir(banc, code, .organisation).status == .ok)
            try await banc.organisationTerminee(code)
            #expect(try await Self.fermer(banc, code, .organisation).status == .ok)
            #expect(try await Self.ouvrir(banc, code, .collecteNotes).status == .ok)
            let (a, b, c) = (UUID(), UUID(), UUID())
            try await banc.lots(code, unite: "U20", [a, b])
            try await banc.lots(code, unite: "U10", [c])
            try await banc.verrou(code, unite: "U20", a, true)
            let refus = try await Self.fermer(banc, code, .collecteNotes)
            #expect(refus.status == .conflict)
            #expect(try refus.probleme.code == "service.travail_inacheve")
            #expect(try Set(refus.probleme.details?.map(\.location) ?? []) == ["lots.\(b.uuidString.lowercased())", "lots.\(c.uuidString.lowercased())"])
            #expect(try refus.probleme.details?.map(\.message) == ["Unité U10, lot 1 : non verrouillé.", "Unité U20, lot 2 : non verrouillé."])
            // An unlock older than the lock kept (a redelivery) changes nothing; the others lock.
            try await banc.verrou(code, unite: "U20", a, false, le: Date(timeIntervalSinceNow: -3600))
            try await banc.verrou(code, unite: "U20", b, true)
            try await banc.verrou(code, unite: "U10", c, true)
            #expect(try await Self.fermer(banc, code, .collecteNotes).status == .ok)
        }
    }

    @Test("a step closed, reopened and closed again tells IMAG'IN of its end once")
    func imaginUneFois() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.sessionJusquaOrganisation()
            #expect(try await Self.ouvrir(banc, code, .organisation).status == .ok)
            try await banc.organisationTerminee(code)
            #expect(try await Self.fermer(banc, code, .organisation).status == .ok)
            let rouvert = try await Self.ouvrir(banc, code, .organisation)
            #expect(rouvert.status == .ok, "\(rouvert.texte)")
            #expect(try await Self.fermer(banc, code, .organisation).status == .ok)
            #expect(try await banc.evenements(ServiceFerme.self, aggregate: "session:\(code)").filter { $0.service == .organisation }.count == 2)
            #expect(try await banc.evenements(EtapeTerminee.self, aggregate: "session:\(code)").map(\.etape) == [.reglementation, .organisation])
        }
    }

    @Test("over the real broker: organisation's and evaluation's messages reach réglementation's consumer, and the steps then close")
    func parLeBroker() async throws {
        try await Banc.avecService { banc in
            let code = try await banc.sessionJusquaOrganisation()
            #expect(try await Self.ouvrir(banc, code, .organisation).status == .ok)
            let session = try SessionCode(code)
            func message<P: MessageContract>(_ payload: P, de producteur: String) throws -> AMQPOutgoingMessage {
                let enveloppe = Envelope(payload, producer: producteur)
                return AMQPOutgoingMessage(
                    exchange: Topology.events, routingKey: P.type, body: Array(try MessageCoding.encoder().encode(enveloppe)),
                    messageID: enveloppe.id.uuidString.lowercased(), type: P.type)
            }
            // The consumer as `serve` runs it (its queue declared by the service's own user).
            let runtime = banc.runtime
            let file = try #require(try await ReglementationService.build(runtime).queues.first { $0.name == "reglementation.events" })
            // The queue and its bindings exist before anything is published (an event published
            // between the queue's declaration and its bindings' would be unroutable, and lost).
            let declaration = try await AMQPConnection.connect(runtime.configuration.amqp)
            try await declaration.declare(file.topology)
            await declaration.close()
            let consommateur = file.consumer(
                database: runtime.database, amqp: runtime.configuration.amqp, outbox: runtime.outbox, logger: runtime.logger)
            let lot = UUID()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await consommateur.run() }
                defer { group.cancelAll() }
                let admin = try await AMQPConnection.connect(try TestStack.amqp("admin"))
                try await admin.publish([
                    try message(OrganisationTerminee(session: session, candidats: 3, epreuvesPlacees: 9, terminePar: "gestionnaire-test"), de: "organisation"),
                    try message(LotsCrees(session: session, unite: "U20", lots: [.init(lot: lot.uuidString.lowercased(), numero: 1)]), de: "evaluation"),
                ])
                #expect(try await TestStack.eventually {
                    let terminee = try await banc.database.count("organisations_terminees", where: "session = '\(code)'")
                    let ouverts = try await banc.database.count("lots_notes", where: "session = '\(code)' AND NOT verrouille")
                    return terminee == 1 && ouverts == 1
                })
                #expect(try await Self.fermer(banc, code, .organisation).status == .ok)
                #expect(try await Self.ouvrir(banc, code, .collecteNotes).status == .ok)
                #expect(try await Self.fermer(banc, code, .collecteNotes).status == .conflict)
                try await admin.publish([try message(LotVerrouille(
                    session: session, lot: lot.uuidString.lowercased(), unite: "U20", copies: 4, verrouille: true, par: "correcteur", motif: nil),
                    de: "evaluation")])
                await admin.close()
                #expect(try await TestStack.eventually {
                    try await banc.database.count("lots_notes", where: "session = '\(code)' AND verrouille") == 1
                })
                #expect(try await Self.fermer(banc, code, .collecteNotes).status == .ok)
            }
        }
    }
}
