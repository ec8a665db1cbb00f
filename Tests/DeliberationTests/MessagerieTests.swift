import AMQP
import Contracts
@testable import Deliberation
import Domain
import Foundation
@testable import Messaging
import ServiceKit
import ServiceLifecycle
import ServiceTestSupport
import Storage
import Testing
import TestSupport

@Suite("Délibération : de bout en bout par RabbitMQ")
struct MessagerieTests {
    /// Réglementation, inscription, evaluation and organisation stand-ins write their events in
    /// an outbox of their own (a scratch schema) and a relay publishes them on the test broker;
    /// délibération's real consumer copies them (a queue of its own, declared before anything is
    /// published: no event is unroutable); the jury closes; délibération's own relay publishes
    /// the results under its own AMQP user, received here from a queue bound to them.
    @Test("events in, a jury closed, deliberation.resultat.arrete and deliberation.jury.clos out on cyclades.events")
    func boutEnBout() async throws {
        try await Banc.avecService(reglementPublie: false) { banc in
            let admis = try banc.candidature(numero: "M1")
            let ajourne = try banc.candidature(numero: "M2")
            let amqp = try TestStack.amqp("admin")
            let handlers = DeliberationService.handlers(runtime: banc.runtime)
            let queue = TestStack.uniqueName("test.deliberation") + ".events"
            let ecoute = TestStack.uniqueName("test.deliberation.resultats")
            let setup = try await AMQPConnection.connect(amqp)
            try await setup.declare(MessageConsumer.topology(queue: queue, handlers: handlers))
            try await setup.declare(Topology.consumerQueue(ecoute, routingKeys: [ResultatArrete.type, JuryClos.type]))
            await setup.close()
            do {
                try await Self.executer(banc, queue: queue, ecoute: ecoute, amqp: amqp, handlers: handlers, admis: admis, ajourne: ajourne)
            } catch {
                await Self.supprimer([queue, ecoute], amqp)
                throw error
            }
            await Self.supprimer([queue, ecoute], amqp)
        }
    }

    static func executer(
        _ banc: Banc, queue: String, ecoute: String, amqp: AMQPConfiguration, handlers: MessageHandlers,
        admis: CandidatureEtat, ajourne: CandidatureEtat
    ) async throws {
        let session = try SessionCode(banc.session)
        try await TestStack.withScratchSchema("delib_producteurs") { producteurs in
            try await MigrationRunner(database: producteurs).apply(try MessagingMigrations.all())
            let consumer = MessageConsumer(
                database: banc.database,
                amqp: AMQPConsumer(configuration: amqp, topology: MessageConsumer.topology(queue: queue, handlers: handlers), queue: queue),
                handlers: handlers, outbox: banc.runtime.outbox, logger: banc.database.logger)
            let relais = OutboxRelay(database: producteurs, publisher: AMQPPublisher(configuration: amqp), logger: producteurs.logger)
            let services: [any Service] = [relais, consumer, banc.runtime.relay]
            let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: producteurs.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                defer { tasks.cancelAll() }
                do {
                    func publier(_ producteur: String, _ evenements: [any MessageContract]) async throws {
                        let outbox = OutboxWriter(database: producteurs, producer: producteur)
                        try await producteurs.transaction { connection in
                            for evenement in evenements {
                                try await outbox.write(evenement, aggregate: banc.session, on: connection, logger: producteurs.logger)
                            }
                        }
                    }
                    try await publier("reglementation", [
                        SessionOuverte(session: session, academie: "A01", libelle: "Par messages", ouvertePar: "test"),
                        Banc.reglement(session),
                        ServiceOuvert(session: session, service: .deliberation, ouvertPar: "test"),
                    ])
                    try await publier("inscription", [CandidatureValidee(admis), CandidatureValidee(ajourne)])
                    for unite in PreparationTests.unites {
                        let numeros = ["A" + UUID().uuidString.prefix(8), "B" + UUID().uuidString.prefix(8)]
                        try await publier("evaluation", [NotesConsolidees(
                            session: session, specialite: "BOULANGER", epreuve: "E1", unite: unite,
                            notes: [.init(numeroAnonymat: numeros[0], note: try Note.parse("13", pas: .centieme)),
                                    .init(numeroAnonymat: numeros[1], note: try Note.parse("7", pas: .centieme))])])
                        try await publier("organisation", [AnonymatLeve(session: session, unite: unite, correspondances: [
                            .init(numeroAnonymat: numeros[0], candidature: admis.id, numeroCandidat: "M1"),
                            .init(numeroAnonymat: numeros[1], candidature: ajourne.id, numeroCandidat: "M2"),
                        ])])
                    }
                    try await Self.attendre {
                        let manquantes = try await banc.appel(.get, "/v1/sessions/\(banc.session)/notes-manquantes")
                        return manquantes.status == .ok && manquantes.texte.contains(#""complets":2"#)
                    }

                    let base = "/v1/sessions/\(banc.session)/jurys"
                    #expect(try await banc.appel(.post, base, json: JuryTests.jury("J01")).status == .created)
                    #expect(try await banc.appel(.post, "\(base)/repartition").status == .ok)
                    #expect(try await banc.appel(.post, "\(base)/J01/ouverture", json: "{}").status == .ok)
                    let cloture = try await banc.appel(.post, "\(base)/J01/cloture", .presidentJury, scopes: ["jury:\(banc.session):J01"])
                    #expect(cloture.status == .ok, "\(cloture.texte)")

                    // Other benches' juries leave results unsent in the same outbox: this relay
                    // publishes them too; only this session's count here.
                    var recus: [AMQPDelivery] = []
                    try await Self.attendre {
                        let connexion = try await AMQPConnection.connect(amqp)
                        defer { Task { await connexion.close() } }
                        while let message = try await connexion.get(queue: ecoute) {
                            if String(decoding: message.body, as: UTF8.self).contains(banc.session) { recus.append(message) }
                            try await connexion.ack(message.deliveryTag)
                        }
                        return recus.count >= 3
                    }
                    let resultats = try recus.filter { $0.type == ResultatArrete.type }.map {
                        try MessageCoding.decoder().decode(Envelope<ResultatArrete>.self, from: Data($0.body))
                    }
                    #expect(resultats.map(\.producer).allSatisfy { $0 == "deliberation" })
                    #expect(resultats.map { "\($0.payload.numero) \($0.payload.decision)" }.sorted() == ["M1 admis", "M2 ajourne"])
                    #expect(resultats.first { $0.payload.numero == "M1" }?.payload.moyenne == "13.00")
                    #expect(recus.filter { $0.type == JuryClos.type }.count == 1)
                } catch {
                    await group.triggerGracefulShutdown()
                    try? await tasks.waitForAll()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    static func attendre(_ condition: () async throws -> Bool) async throws {
        let limite = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < limite {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestStackError("condition not met within 60 s")
    }

    static func supprimer(_ queues: [String], _ amqp: AMQPConfiguration) async {
        if let connection = try? await AMQPConnection.connect(amqp) {
            for queue in queues {
                try? await connection.deleteQueue(queue)
                try? await connection.deleteQueue("\(queue).dlq")
            }
            await connection.close()
        }
    }
}
