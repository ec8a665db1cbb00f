import AMQP
import Contracts
import Domain
import Foundation
@testable import Inscription
import Messaging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import ServiceTestSupport
import Storage
import Testing
import TestSupport

/// Réglementation's events reach Inscription over the real broker: a producer's outbox and relay
/// (with réglementation's broker account) on one side, Inscription's own consumer (its handlers,
/// its inbox, its schema, its broker account and permissions) on the other.
@Suite("Inscription: the réglementation copy is fed by events over RabbitMQ")
struct ReferentielParMessagesTests {
    @Test("session, services, règlement and centres published by an outbox arrive in inscription's copy; registration then works")
    func copieParMessages() async throws {
        try await Banc.avecService(services: []) { banc in
            let session = try SessionCode(try await Banc.codeLibre(banc.database))
            let uai = try UAI(UAIs.valide())
            try await TestStack.withScratchSchema("regl_e2e") { producteur in
                try await MigrationRunner(database: producteur).apply(try MessagingMigrations.all())
                let outbox = OutboxWriter(database: producteur, producer: "reglementation")
                let amqp = try TestStack.amqp("inscription")
                let handlers = InscriptionService.handlers(runtime: banc.runtime)
                let queue = "inscription.test-\(producteur.schema)"
                let topologie = MessageConsumer.topology(queue: queue, handlers: handlers)
                let setup = try await AMQPConnection.connect(amqp)
                try await setup.declare(topologie)
                await setup.close()
                let relay = OutboxRelay(database: producteur, publisher: AMQPPublisher(configuration: try TestStack.amqp("reglementation")), pollInterval: .milliseconds(100),
                                        logger: producteur.logger)
                let consumer = MessageConsumer(
                    database: banc.database, amqp: AMQPConsumer(configuration: amqp, topology: topologie, queue: queue),
                    handlers: handlers, outbox: banc.runtime.outbox, logger: banc.database.logger)
                let groupe = ServiceGroup(configuration: .init(services: [.init(service: relay), .init(service: consumer)], logger: producteur.logger))
                try await withThrowingTaskGroup(of: Void.self) { taches in
                    taches.addTask { try await groupe.run() }
                    defer { Task { await groupe.triggerGracefulShutdown() } }
                    try await producteur.transaction { connection in
                        let a = session.value
                        try await outbox.write(SessionOuverte(session: session, academie: "A02", libelle: "Session par messages", ouvertePar: "g"), aggregate: a, on: connection, logger: producteur.logger)
                        try await outbox.write(Reglements.publication(session, version: 1), aggregate: a, on: connection, logger: producteur.logger)
                        try await outbox.write(CentreDeclare(CentreEtat(
                            session: session, uai: uai, nom: "CFA par messages", commune: "Lille", secteur: .public, habilitationCFA: true,
                            habilitationFPC: false, roles: [.inscription], gestionAutonome: false, salles: [], revision: 1)), aggregate: a, on: connection, logger: producteur.logger)
                        try await outbox.write(ServiceOuvert(session: session, service: .inscriptionEtablissement, ouvertPar: "g"), aggregate: a, on: connection, logger: producteur.logger)
                    }
                    struct Offre: Decodable { var academie: String; var servicesOuverts: [String]; var reglementVersion: Int?; var centres: [C]; struct C: Decodable { var uai: String } }
                    let arrive = try await TestStack.eventually(timeout: .seconds(30)) {
                        let reponse = try await banc.appel(.get, "/v1/sessions/\(session.value)/offre")
                        guard reponse.status == .ok, let offre = try? reponse.json(Offre.self) else { return false }
                        return offre.reglementVersion == 1 && offre.servicesOuverts == ["inscription_etablissement"] && offre.centres.map(\.uai) == [uai.value]
                            && offre.academie == "A02"
                    }
                    #expect(arrive, "inscription's copy never showed the published session")
                    let creee = try await banc.etab(.post, "/v1/sessions/\(session.value)/candidatures", uai.value,
                                                    json: Saisies.candidature(uai: uai.value))
                    #expect(creee.status == .created, "\(creee.texte)")
                    let c = try creee.json(Candidature.self)
                    #expect(try await banc.etab(.post, "/v1/candidatures/\(c.id.uuidString)/validation", uai.value).status == .ok)

                    // The service closes (its event arrives): the établissement can no longer register.
                    try await producteur.transaction { connection in
                        try await outbox.write(ServiceFerme(session: session, service: .inscriptionEtablissement, fermePar: "g"),
                                               aggregate: session.value, on: connection, logger: producteur.logger)
                    }
                    #expect(try await TestStack.eventually(timeout: .seconds(30)) {
                        try await banc.etab(.post, "/v1/sessions/\(session.value)/candidatures", uai.value,
                                            json: Saisies.candidature(uai: uai.value)).status == .unprocessableContent
                    })
                    await groupe.triggerGracefulShutdown()
                    try await taches.waitForAll()
                }
                if let connection = try? await AMQPConnection.connect(amqp) {
                    try? await connection.deleteQueue(queue)
                    try? await connection.deleteQueue("\(queue).dlq")
                    await connection.close()
                }
            }
        }
    }
}
