import AMQP
import Contracts
import Domain
import Foundation
@testable import Messaging
@testable import Publication
import ServiceKit
import ServiceLifecycle
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// An outside body's subscription, on the test broker: its own queue, bound with the read-only
/// `resultats` credentials to `cyclades.resultats`, fed by Publication's real relay.
@Suite("Publication : un organisme abonné à cyclades.resultats")
struct AbonnementTests {
    @Test("nothing reaches a subscriber under embargo; at release, the consented results it bound, no grade; what nobody bound is not kept; read-only credentials")
    func abonne() async throws {
        try await Banc.avecService { banc in
            let abonne = try TestStack.amqp("resultats")
            let queue = TestStack.uniqueName("resultats.test")
            // The subscriber binds its queue before anything is published (as a real one does
            // before results day).
            let connexion = try await AMQPConnection.connect(abonne)
            try await connexion.declare(AMQPTopology(
                queues: [.quorum(queue)],
                bindings: [.init(queue: queue, exchange: Topology.resultats, routingKey: "A13.BOULANGER.admis")]))
            await connexion.close()
            do {
                try await Self.executer(banc, abonne: abonne, queue: queue)
            } catch {
                await Self.supprimer(queue, abonne)
                throw error
            }
            await Self.supprimer(queue, abonne)
        }
    }

    static func executer(_ banc: Banc, abonne: AMQPConfiguration, queue: String) async throws {
        let lea = try banc.candidature(nom: "Martin", consentement: true)
        let paul = try banc.candidature(nom: "Durand", consentement: false)
        let jean = try banc.candidature(nom: "Petit", consentement: true)
        let resultats = [try banc.resultat(lea), try banc.resultat(paul), try banc.resultat(jean, decision: "ajourne", note: "08.00")]
        try await banc.deliberer([lea, paul, jean], resultats)

        let group = ServiceGroup(configuration: .init(services: [.init(service: banc.runtime.relay)], logger: banc.database.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            do {
                // Under embargo: nothing of this session in the outbox, so nothing the relay could
                // send; the subscriber's queue has nothing of it.
                #expect(try await banc.messagesPublies().isEmpty)
                #expect(try await Self.recus(banc, abonne: abonne, queue: queue).isEmpty)

                try await banc.ouvrirPublication()
                var recus: [Envelope<ResultatPublie>] = []
                try await Self.attendre {
                    recus += try await Self.recus(banc, abonne: abonne, queue: queue)
                    let restants = try await Self.nonEnvoyes(banc)
                    return !recus.isEmpty && restants == 0
                }
                recus += try await Self.recus(banc, abonne: abonne, queue: queue)
                // Paul did not consent; Jean's result (ajourné) went to a key nobody bound: sent, not
                // kept waiting (the wait above saw no row of the session left unsent).
                #expect(recus.map(\.payload.numero) == [lea.numero], "the consented candidate only, once")
                #expect(try await banc.messagesPublies().map(\.message.numero).sorted() == [lea.numero, jean.numero].sorted())
                #expect(recus.first?.producer == "publication")
                #expect(recus.first?.payload.nomFamille == "Martin")
                #expect(recus.first?.payload.decision == "admis")

                // Read-only: the subscriber cannot publish on the exchange.
                let intrus = AMQPPublisher(configuration: abonne)
                await #expect(throws: (any Error).self) {
                    try await intrus.publish(AMQPOutgoingMessage(
                        exchange: Topology.resultats, routingKey: "A13.BOULANGER.admis", body: Array("{}".utf8),
                        messageID: UUID().uuidString, type: ResultatPublie.type))
                }
                await intrus.close()
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// This session's messages in the subscriber's queue (other benches' releases share the
    /// exchange and the académie: only this session's count), acked.
    static func recus(_ banc: Banc, abonne: AMQPConfiguration, queue: String) async throws -> [Envelope<ResultatPublie>] {
        let connexion = try await AMQPConnection.connect(abonne)
        var recus: [Envelope<ResultatPublie>] = []
        do {
            while let message = try await connexion.get(queue: queue) {
                let enveloppe = try MessageCoding.decoder().decode(Envelope<ResultatPublie>.self, from: Data(message.body))
                if enveloppe.payload.session.value == banc.session {
                    #expect(!String(decoding: message.body, as: UTF8.self).contains("12.50"), "a grade went out")
                    recus.append(enveloppe)
                }
                try await connexion.ack(message.deliveryTag)
            }
        } catch {
            await connexion.close()
            throw error
        }
        await connexion.close()
        return recus
    }

    /// This session's result messages not yet confirmed by the broker.
    static func nonEnvoyes(_ banc: Banc) async throws -> Int {
        let rows = try await banc.database.query(SQL.query(
            """
            SELECT count(*)::int8 FROM \(banc.database.table("outbox"))
            WHERE sent_at IS NULL AND position(convert_to($1, 'UTF8') in envelope) > 0
            """, banc.session))
        for try await n in rows.decode(Int64.self) { return Int(n) }
        return 0
    }

    static func attendre(_ condition: () async throws -> Bool) async throws {
        let limite = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < limite {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestStackError("condition not met within 60 s")
    }

    static func supprimer(_ queue: String, _ amqp: AMQPConfiguration) async {
        if let connection = try? await AMQPConnection.connect(amqp) {
            try? await connection.deleteQueue(queue)
            await connection.close()
        }
    }
}
