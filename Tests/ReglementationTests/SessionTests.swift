import AMQP
import Contracts
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import PostgresNIO
import Reglementation
import ServiceKit
import ServiceLifecycle
import Storage
import Testing
import TestSupport

/// The Réglementation service on its real schema (role `reglementation` of the test stack),
/// called through its router as the gateway would, with signed internal tokens.
@Suite("Réglementation sessions")
struct SessionTests {
    static func withService(_ body: @escaping @Sendable (ServiceRuntime, any TestClientProtocol) async throws -> Void) async throws {
        let configuration = try ServiceConfiguration(
            serviceName: ReglementationService.name, environment: TestStack.environment("reglementation"))
        let runtime = await ServiceRuntime(configuration: configuration)
        try await TestStack.withRunningClient(runtime.database.client) {
            try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(ReglementationService.self))
            let app = Application(router: runtime.router(for: ReglementationService.self))
            try await app.test(.router) { client in try await body(runtime, client) }
        }
    }

    static func token(_ runtime: ServiceRuntime, _ role: Role, subject: String = "gestionnaire-test") async throws -> HTTPFields {
        let token = try await runtime.tokens.sign(InternalIdentity(subject: subject, role: role))
        return [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    /// A session code nobody used yet in this database.
    static func freshCode() -> String {
        "BP-20\(Int.random(in: 40...99))-\(String(format: "%02d", Int.random(in: 1...12)))-\(["N", "R", "V"].randomElement()!)"
    }

    @Test("a gestionnaire opens a session: 201, the row and its event are written together")
    func openSession() async throws {
        try await Self.withService { runtime, client in
            let code = Self.freshCode()
            let body = #"{"code":"\#(code)","academie":"a01","libelle":"Session de test"}"#
            let before = try await runtime.database.count("outbox", where: "type = 'reglementation.session.ouverte'")
            try await client.execute(uri: "/v1/sessions", method: .post, headers: Self.token(runtime, .gestionnaire), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                let session = try MessageCoding.decoder().decode(Session.self, from: Data(buffer: response.body))
                #expect(session.code.value == code)
                #expect(session.academie == "A01")
                #expect(session.ouvertePar == "gestionnaire-test")
            }
            #expect(try await runtime.database.count("outbox", where: "type = 'reglementation.session.ouverte'") == before + 1)
            try await client.execute(uri: "/v1/sessions", method: .post, headers: Self.token(runtime, .gestionnaire), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("session.existe"))
            }
            #expect(try await runtime.database.count("outbox", where: "type = 'reglementation.session.ouverte'") == before + 1,
                    "a refused request writes no event")
        }
    }

    @Test("bad input is refused with a French message naming the field, and changes nothing")
    func invalidInput() async throws {
        try await Self.withService { runtime, client in
            let sessionsBefore = try await runtime.database.count("sessions")
            for (body, code, field) in [
                (#"{"code":"BP-2027-13-N","academie":"A01","libelle":"x"}"#, "session.mois", "code"),
                (#"{"code":"BAC-2027-06-N","academie":"A01","libelle":"x"}"#, "session.format", "code"),
                (#"{"code":"BP-2027-06-N","academie":"Paris","libelle":"x"}"#, "academie.format", "academie"),
                (#"{"code":"BP-2027-06-N","academie":"A01","libelle":"  "}"#, "libelle.longueur", "libelle"),
            ] {
                try await client.execute(uri: "/v1/sessions", method: .post, headers: Self.token(runtime, .gestionnaire), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .unprocessableContent)
                    let problem = try JSONDecoder().decode(Problem.self, from: Data(buffer: response.body))
                    #expect(problem.code == code)
                    #expect(problem.details?.first?.location == field)
                    #expect(!problem.message.isEmpty)
                }
            }
            #expect(try await runtime.database.count("sessions") == sessionsBefore)
        }
    }

    @Test("only a gestionnaire opens sessions; no token is 401")
    func authorization() async throws {
        try await Self.withService { runtime, client in
            let body = ByteBuffer(string: #"{"code":"\#(Self.freshCode())","academie":"A01","libelle":"x"}"#)
            try await client.execute(uri: "/v1/sessions", method: .post, body: body) { response in
                #expect(response.status == .unauthorized)
            }
            for role in Role.allCases where role != .gestionnaire {
                try await client.execute(uri: "/v1/sessions", method: .post, headers: Self.token(runtime, role), body: body) { response in
                    #expect(response.status == .forbidden, "\(role) must not open a session")
                }
            }
            try await client.execute(uri: "/v1/sessions", method: .get, headers: Self.token(runtime, .candidat)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/sessions?taille=5", method: .get, headers: Self.token(runtime, .gestionnaire)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"taille\":5"))
            }
        }
    }

    @Test("another service's consumer receives reglementation.session.ouverte and keeps its own copy")
    func consumerBuildsItsOwnCopy() async throws {
        try await Self.withService { runtime, client in
            try await TestStack.withScratchSchema("copie") { copy in
                try await MigrationRunner(database: copy).apply(try MessagingMigrations.all())
                try await copy.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(copy.table("sessions")) (code text PRIMARY KEY, academie text NOT NULL)"))
                var handlers = MessageHandlers()
                let table = copy.table("sessions")
                handlers.on(SessionOuverte.self) { envelope, context in
                    var binds = PostgresBindings()
                    binds.append(envelope.payload.session.value)
                    binds.append(envelope.payload.academie)
                    try await context.connection.query(
                        PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ($1, $2)", binds: binds), logger: context.logger)
                }
                let queue = "test.\(copy.schema).events"
                let amqp = try TestStack.amqp("admin")
                // The queue exists before anything is published to it (as a deployed service's does).
                let setup = try await AMQPConnection.connect(amqp)
                try await setup.declare(MessageConsumer.topology(queue: queue, handlers: handlers))
                await setup.close()
                let consumer = MessageConsumer(
                    database: copy,
                    amqp: AMQPConsumer(configuration: amqp, topology: MessageConsumer.topology(queue: queue, handlers: handlers), queue: queue),
                    handlers: handlers, outbox: OutboxWriter(database: copy, producer: "test"), logger: copy.logger)
                let group = ServiceGroup(configuration: .init(services: [.init(service: runtime.relay), .init(service: consumer)], logger: copy.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    let code = Self.freshCode()
                    try await client.execute(
                        uri: "/v1/sessions", method: .post, headers: Self.token(runtime, .gestionnaire),
                        body: ByteBuffer(string: #"{"code":"\#(code)","academie":"A07","libelle":"Copie"}"#)
                    ) { response in #expect(response.status == .created) }
                    let copied = try await TestStack.eventually { try await copy.count("sessions", where: "code = '\(code)' AND academie = 'A07'") == 1 }
                    #expect(copied)
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
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

struct Problem: Decodable {
    var code: String
    var message: String
    var details: [ServiceError.Detail]?
}
