import AMQP
import Contracts
import Domain
import Foundation
import Messaging
@testable import Organisation
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage
import Testing
import TestSupport

@Suite("Organisation: its copy fed through RabbitMQ")
struct MessagerieTests {
    /// Inscription and evaluation stand-ins write their events in an outbox of their own (a
    /// scratch schema) and a relay publishes them on the test broker; organisation's real consumer
    /// (its handlers, inbox and outbox) runs on a queue of its own bound to what it handles.
    @Test("candidature events become épreuves-candidats (CCF placed in an autonomous CFA), a cancellation removes them, consolidated grades lift anonymity")
    func consommateur() async throws {
        try await Banc.avecService { banc in
            let cfa = try await banc.centre("CFA autonome", salles: [Salle(nom: "A", places: 20)], roles: [.inscription, .epreuve], gestionAutonome: true)
            let a = try banc.candidature(nom: "Rabbit", etablissement: cfa, autonome: true, categorie: .apprentiCFAHabilite, ccf: true)
            let b = try banc.candidature(nom: "Lapin", etablissement: cfa, autonome: true, categorie: .apprentiCFAHabilite, ccf: true)
            try await TestStack.withScratchSchema("org_producteur") { producteur in
                try await MigrationRunner(database: producteur).apply(try MessagingMigrations.all())
                let outbox = OutboxWriter(database: producteur, producer: "inscription")
                let amqp = try TestStack.amqp("admin")
                let handlers = OrganisationService.handlers(runtime: banc.runtime)
                let queue = TestStack.uniqueName("test.organisation") + ".events"
                let setup = try await AMQPConnection.connect(amqp)
                try await setup.declare(MessageConsumer.topology(queue: queue, handlers: handlers))
                await setup.close()
                let consumer = MessageConsumer(
                    database: banc.database,
                    amqp: AMQPConsumer(configuration: amqp, topology: MessageConsumer.topology(queue: queue, handlers: handlers), queue: queue),
                    handlers: handlers, outbox: banc.runtime.outbox, logger: banc.database.logger)
                let relay = OutboxRelay(database: producteur, publisher: AMQPPublisher(configuration: amqp), logger: producteur.logger)
                let group = ServiceGroup(configuration: .init(services: [.init(service: relay), .init(service: consumer)], logger: producteur.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    defer { tasks.cancelAll() }
                    do {
                        try await producteur.transaction { connection in
                            try await outbox.write(CandidatureValidee(a), aggregate: a.id.uuidString, on: connection, logger: producteur.logger)
                            try await outbox.write(CandidatureValidee(b), aggregate: b.id.uuidString, on: connection, logger: producteur.logger)
                        }
                        try await Self.attendre { try await banc.database.count("affectations", where: "session = '\(banc.session)'") == 8 }
                        let ccf = try await banc.places(mode: "ccf")
                        #expect(ccf.count == 2 && ccf.allSatisfy { $0.centre == cfa })
                        #expect(try await banc.evenements(CandidatAffecte.self).filter { $0.mode == .ccf }.count == 2)

                        try await producteur.transaction { connection in
                            try await outbox.write(CandidatureAnnulee(id: b.id, numero: b.numero, session: banc.code, motif: "Abandon", annuleePar: "etab", revision: 2),
                                                   aggregate: b.id.uuidString, on: connection, logger: producteur.logger)
                        }
                        try await Self.attendre { try await banc.database.count("affectations", where: "session = '\(banc.session)'") == 4 }
                        #expect(try await banc.database.count("candidatures", where: "id = '\(b.id.uuidString)' AND annulee") == 1)

                        // Numbers, then evaluation's consolidated grades for U40 (the CCF unit).
                        #expect(try await banc.appel(.post, "/v1/sessions/\(banc.session)/anonymats").status == .ok)
                        let copie = try #require(try await banc.evenements(AnonymatAttribue.self).first { $0.unite == "U40" }?.copies.first)
                        try await producteur.transaction { connection in
                            _ = try await OutboxWriter(database: producteur, producer: "evaluation").write(
                                NotesConsolidees(session: banc.code, specialite: "COIFFURE", epreuve: "E4", unite: "U40",
                                                 notes: [.init(numeroAnonymat: copie, note: try Note(centiemes: 1400))]),
                                aggregate: "U40", on: connection, logger: producteur.logger)
                        }
                        try await Self.attendre { try await banc.evenements(AnonymatLeve.self).count == 1 }
                        let leve = try #require(try await banc.evenements(AnonymatLeve.self).first)
                        #expect(leve.correspondances.map(\.numeroCandidat) == [a.numero] && leve.correspondances.first?.candidature == a.id)
                    } catch {
                        await group.triggerGracefulShutdown()
                        try? await tasks.waitForAll()
                        await Self.supprimer(queue, amqp)
                        throw error
                    }
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                await Self.supprimer(queue, amqp)
            }
        }
    }

    static func attendre(_ condition: () async throws -> Bool) async throws {
        let limite = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < limite {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestStackError("condition not met within 30 s")
    }

    static func supprimer(_ queue: String, _ amqp: AMQPConfiguration) async {
        if let connection = try? await AMQPConnection.connect(amqp) {
            try? await connection.deleteQueue(queue)
            try? await connection.deleteQueue("\(queue).dlq")
            await connection.close()
        }
    }
}
