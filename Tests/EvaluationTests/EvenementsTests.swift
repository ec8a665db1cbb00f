import AMQP
import Contracts
import Domain
import Foundation
import Messaging
import ServiceKit
import ServiceTestSupport
import Storage
import Testing
import TestSupport
@testable import Evaluation

@Suite("Réglementation and organisation events reach Evaluation's copy over the real broker")
struct EvenementsTests {
    @Test("published on cyclades.events, consumed under the service's own AMQP user: session, collecte_notes, copies, absence")
    func evenements() async throws {
        try await Banc.avecService(travailleurs: 0) { banc in
            let session = try SessionCode(try await Banc.codeLibre(banc.database))
            let numeros = (0..<30).map { _ in Banc.numeroAnonymat() }
            let producteur = "test"
            func message<P: MessageContract>(_ payload: P) throws -> AMQPOutgoingMessage {
                let enveloppe = Envelope(payload, producer: producteur)
                return AMQPOutgoingMessage(
                    exchange: Topology.events, routingKey: P.type, body: Array(try MessageCoding.encoder().encode(enveloppe)),
                    messageID: enveloppe.id.uuidString.lowercased(), type: P.type)
            }
            // The consumer as `serve` runs it (its queue declared by the service's own user).
            let runtime = banc.runtime
            let file = try #require(try EvaluationService.build(runtime).queues.first { $0.name == "evaluation.events" })
            // The queue and its bindings exist before anything is published, whenever the
            // consumer gets to declare them: an event published between the queue's declaration
            // and its bindings' would be unroutable, and lost (seen under load, when waiting for
            // the dead-letter queue stood for "the consumer is ready").
            let declaration = try await AMQPConnection.connect(runtime.configuration.amqp)
            try await declaration.declare(file.topology)
            await declaration.close()
            let consommateur = file.consumer(
                database: runtime.database, amqp: runtime.configuration.amqp, outbox: runtime.outbox, logger: runtime.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await consommateur.run() }
                defer { group.cancelAll() }
                let admin = try await AMQPConnection.connect(try TestStack.amqp("admin"))
                try await admin.publish([
                    try message(SessionOuverte(session: session, academie: "A01", libelle: "Par messages", ouvertePar: "test")),
                    try message(ServiceOuvert(session: session, service: .collecteNotes, ouvertPar: "test")),
                    try message(AnonymatAttribue(
                        session: session, specialite: "BOULANGER", epreuve: "E2", unite: "U20", forme: "ecrite", mode: .ponctuel,
                        centre: try UAI(UAIs.valide()), debut: nil, pasCentiemes: 25, copies: numeros, revision: 1)),
                    try message(AbsenceConstatee(session: session, unite: "U20", numeroAnonymat: numeros[0], statut: .abs, revision: 1)),
                ])
                await admin.close()
                try await expectEventually {
                    try await banc.database.count("copies", where: "session = '\(session.value)' AND absence = 'ABS'") == 1
                }
            }
            #expect(try await banc.database.count("copies", where: "session = '\(session.value)'") == 30)
            #expect(try await banc.database.count("sessions", where: "code = '\(session.value)' AND 'collecte_notes' = ANY(services)") == 1)
            #expect(try await banc.database.count("unites", where: "session = '\(session.value)' AND pas = 25") == 1)
        }
    }
}
