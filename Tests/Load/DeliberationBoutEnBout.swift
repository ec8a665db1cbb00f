import AMQP
import AsyncHTTPClient
import Contracts
import Deliberation
import Domain
import Foundation
import Hummingbird
import Logging
import Messaging
import MoteurDeliberation
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage
import TestSupport

/// `cyclades-load deliberation-bout-en-bout`: a whole session's deliberation, events in to
/// results out. Stand-ins for réglementation, inscription, evaluation and organisation publish,
/// through an outbox and its relay on the stack's broker, a session, its règlement (BOULANGER: 8
/// compulsory units), N validated candidatures, each unit's consolidated grades and anonymity
/// link; the Délibération service (its consumer on a queue of its own, its HTTP routes on a local
/// port, its relay) builds its copy; its juries are created, filled, opened and closed over HTTP;
/// every `deliberation.resultat.arrete` is counted on a queue bound to it. Beside it, in the same
/// run, its ceilings: the engine alone on the same N situations, and a COPY of the same result
/// rows into a scratch table. Prints a markdown report.
///
///   swift build -c release --product cyclades-load
///   CYCLADES_STACK_DIR=/var/tmp/cyclades-test .build/release/cyclades-load deliberation-bout-en-bout [--candidats N] [--jurys J]
enum DeliberationBoutEnBout {
    struct Options: Sendable {
        var candidats = 100_000
        var jurys: Int?
        var port = 58_191
        var paralleles = 4

        static let usage = "usage: cyclades-load deliberation-bout-en-bout [--candidats N] [--jurys J] [--paralleles P] [--port P]"

        init(_ arguments: [String]) throws {
            var reste = arguments[...]
            func entier(_ option: String, _ bornes: ClosedRange<Int>) throws -> Int {
                guard let v = reste.popFirst().flatMap(Int.init), bornes.contains(v) else {
                    throw Erreur("\(option) needs an integer in \(bornes)\n\(Self.usage)")
                }
                return v
            }
            while let option = reste.popFirst() {
                switch option {
                case "--candidats": candidats = try entier(option, 1...1_000_000)
                case "--jurys": jurys = try entier(option, 1...10_000)
                case "--paralleles": paralleles = try entier(option, 1...32)
                case "--port": port = try entier(option, 1024...65535)
                default: throw Erreur("unknown option \(option)\n\(Self.usage)")
                }
            }
        }
    }

    struct Erreur: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let unites: [(code: String, coefficient: Int)] = [
        ("U10", 12), ("U20", 3), ("U30", 3), ("U41", 3), ("U42", 3), ("U50", 3), ("U60", 1), ("U70", 2),
    ]

    static func run(_ arguments: [String]) async throws {
        let options = try Options(arguments)
        var configuration = try ServiceConfiguration(serviceName: DeliberationService.name, environment: TestStack.environment("deliberation"))
        configuration.httpPort = options.port
        configuration.logLevel = .warning
        let runtime = await ServiceRuntime(configuration: configuration)
        let amqp = try TestStack.amqp("admin", connectionName: "cyclades-load-deliberation")
        let logger = TestStack.logger("cyclades.load.deliberation")
        note("deliberation end to end: \(options.candidats) candidates, stack \(TestStack.stackDirectory)")

        try await TestStack.withScratchSchema("load_delib") { producteur in
            try await withThrowingTaskGroup(of: Void.self) { taches in
                taches.addTask { await runtime.database.client.run() }
                defer { taches.cancelAll() }
                try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(DeliberationService.self))
                try await MigrationRunner(database: producteur).apply(try MessagingMigrations.all())

                let handlers = DeliberationService.handlers(runtime: runtime)
                let queue = TestStack.uniqueName("load.deliberation") + ".events"
                let ecoute = TestStack.uniqueName("load.deliberation.resultats")
                let topology = MessageConsumer.topology(queue: queue, handlers: handlers)
                let setup = try await AMQPConnection.connect(amqp)
                try await setup.declare(topology)
                try await setup.declare(Topology.consumerQueue(ecoute, routingKeys: [ResultatArrete.type]))
                await setup.close()
                let application = Application(
                    router: try await runtime.router(for: DeliberationService.self),
                    configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "cyclades-deliberation-load"),
                    logger: logger)
                let groupe = ServiceGroup(configuration: .init(services: [
                    .init(service: runtime.relay),
                    .init(service: MessageConsumer(database: runtime.database, amqp: AMQPConsumer(configuration: amqp, topology: topology, queue: queue, prefetch: 500),
                                                   handlers: handlers, outbox: runtime.outbox, logger: logger)),
                    .init(service: OutboxRelay(database: producteur, publisher: AMQPPublisher(configuration: amqp), logger: logger)),
                    .init(service: application),
                ], logger: logger))
                taches.addTask { try await groupe.run() }
                do {
                    try await mesurer(options, runtime: runtime, producteur: producteur, ecoute: ecoute, amqp: amqp)
                } catch {
                    await groupe.triggerGracefulShutdown()
                    await OrganisationLoad.supprimer(queue, amqp)
                    await OrganisationLoad.supprimer(ecoute, amqp)
                    throw error
                }
                await groupe.triggerGracefulShutdown()
                await OrganisationLoad.supprimer(queue, amqp)
                await OrganisationLoad.supprimer(ecoute, amqp)
            }
        }
    }

    static func mesurer(_ options: Options, runtime: ServiceRuntime, producteur: Database, ecoute: String, amqp: AMQPConfiguration) async throws {
        var graine = OrganisationLoad.Graine(etat: 20_270_702)
        let session = try await OrganisationLoad.sessionLibre(runtime.database)
        let date = "\(session.annee)-07-02"
        let reglement = Reglement(specialite: "BOULANGER", libelle: "Boulanger", version: 1, reference: "load", epreuves: unites.map { u in
            Epreuve(code: "E" + u.code.dropFirst(), libelle: "Épreuve \(u.code)", coefficient: u.coefficient, unites: [
                Unite(code: u.code, libelle: "Unité \(u.code)", coefficient: u.coefficient, formes: [.ecrite], dureeMinutes: 120, modes: [:]),
            ])
        })
        // Candidates and their grades (a quarter-point scale; 1 % ABS, 1 % ABJ), seeded.
        var candidatures: [CandidatureEtat] = []
        var notes: [[Note]] = []
        for n in 0..<options.candidats {
            candidatures.append(CandidatureEtat(
                id: UUID(), numero: String(format: "%08d", 40_000_000 + n), session: session,
                candidat: IdentiteCandidat(nomFamille: "Nom\(n)", nomUsage: nil, prenoms: "Prénom", sexe: n % 2 == 0 ? .feminin : .masculin,
                                           dateNaissance: "2005-01-01", communeNaissance: "Paris", ine: nil),
                categorie: .apprenti, categorieReglementaire: .apprentiCFANonHabilite, etablissement: nil,
                specialite: "BOULANGER", reglementVersion: 1, forme: .globale,
                unites: unites.map { UniteInscrite(code: $0.code, epreuve: "E" + $0.code.dropFirst(), libelle: "Unité \($0.code)",
                                                   coefficient: $0.coefficient, facultative: false, situation: .presentee, mode: .ponctuel) },
                amenagements: [], revision: 1))
            notes.append(try unites.map { _ in
                let tirage = Int.random(in: 0..<100, using: &graine)
                if tirage == 0 { return .absent }
                if tirage == 1 { return .absentJustifie }
                return try Note(centiemes: 25 * Int.random(in: 16...72, using: &graine))
            })
        }
        let numeros = (0..<unites.count).map { u in candidatures.indices.map { "A\(u)-\(String(format: "%07d", $0))" } }

        // 1. Events in: the stand-ins publish, the consumer builds the copy.
        let publie = OutboxWriter(database: producteur, producer: "load")
        let t0 = ContinuousClock.now
        try await producteur.transaction { connection in
            try await publie.write([
                try publie.entry(SessionOuverte(session: session, academie: "A01", libelle: "Session de charge", ouvertePar: "load"), aggregate: session.value),
                try publie.entry(ReglementPublie(session: session, academie: "A01", version: 1, publiePar: "load",
                                                 specialites: [SpecialiteOfferte(reglement: reglement, optionsOffertes: [])], piecesJustificatives: []),
                                 aggregate: session.value),
                try publie.entry(ServiceOuvert(session: session, service: .deliberation, ouvertPar: "load"), aggregate: session.value),
            ], on: connection, logger: producteur.logger)
        }
        for debut in stride(from: 0, to: candidatures.count, by: 1000) {
            let lot = candidatures[debut..<min(debut + 1000, candidatures.count)]
            try await producteur.transaction { connection in
                try await publie.write(try lot.map { try publie.entry(CandidatureValidee($0), aggregate: $0.id.uuidString) },
                                       on: connection, logger: producteur.logger)
            }
        }
        for (u, unite) in unites.enumerated() {
            try await producteur.transaction { connection in
                try await publie.write([
                    try publie.entry(NotesConsolidees(
                        session: session, specialite: "BOULANGER", epreuve: "E" + unite.code.dropFirst(), unite: unite.code,
                        notes: candidatures.indices.map { .init(numeroAnonymat: numeros[u][$0], note: notes[$0][u]) }), aggregate: unite.code),
                    try publie.entry(AnonymatLeve(
                        session: session, unite: unite.code,
                        correspondances: candidatures.indices.map {
                            .init(numeroAnonymat: numeros[u][$0], candidature: candidatures[$0].id, numeroCandidat: candidatures[$0].numero)
                        }), aggregate: unite.code),
                ], on: connection, logger: producteur.logger)
            }
        }
        try await OrganisationLoad.attendre(runtime.database, "candidatures", session, candidatures.count, secondes: 1800)
        try await OrganisationLoad.attendre(runtime.database, "anonymats", session, candidatures.count * unites.count, secondes: 1800)
        try await OrganisationLoad.attendre(runtime.database, "notes", session, candidatures.count * unites.count, secondes: 1800)
        let tCopie = ContinuousClock.now
        // The statistics autovacuum gathers within a minute of a bulk load, gathered now: the
        // plans of the phases below must not depend on when it happens to run.
        for table in ["candidatures", "anonymats", "notes"] {
            try await runtime.database.query(SQL.query("ANALYZE \(runtime.database.table(table))"))
        }
        let tAnalyse = ContinuousClock.now

        // 2. The juries, over HTTP as the gestionnaire and the présidents would.
        let nombre = options.jurys ?? max(1, options.candidats / 250)
        let base = "http://127.0.0.1:\(options.port)/v1/sessions/\(session.value)/jurys"
        let gestionnaire = try await runtime.tokens.sign(InternalIdentity(subject: "load-gestionnaire", role: .gestionnaire))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown(queue: .global()) { _ in } }
        @Sendable func verifier(_ appel: HTTPAppel.Appel, _ quoi: String) throws {
            guard (200..<300).contains(appel.statut) else { throw Erreur("\(quoi): \(appel.statut) \(String(buffer: appel.corps).prefix(400))") }
        }
        let codes = (1...nombre).map { String(format: "J%04d", $0) }
        for code in codes {
            try verifier(try await HTTPAppel.appel(client, .POST, base, jeton: gestionnaire, json: """
                {"code": "\(code)", "specialite": "BOULANGER", "date": "\(date)", "president": "Président \(code)",
                 "membres": [{"nom": "E", "qualite": "enseignant"}, {"nom": "P", "qualite": "professionnel"}]}
                """), "creating \(code)")
        }
        let tCreation = ContinuousClock.now
        try verifier(try await HTTPAppel.appel(client, .POST, "\(base)/repartition", jeton: gestionnaire, json: nil), "répartition")
        let tRepartition = ContinuousClock.now
        try await enParallele(codes, options.paralleles) { code in
            try verifier(try await HTTPAppel.appel(client, .POST, "\(base)/\(code)/ouverture", jeton: gestionnaire, json: #"{"motif": "Charge"}"#), "opening \(code)")
        }
        let tOuverture = ContinuousClock.now
        try await enParallele(codes, options.paralleles) { code in
            let president = try await runtime.tokens.sign(InternalIdentity(
                subject: "load-president-\(code)", role: .presidentJury, scopes: ["jury:\(session.value):\(code)"]))
            try verifier(try await HTTPAppel.appel(client, .POST, "\(base)/\(code)/cloture", jeton: president, json: nil), "closing \(code)")
        }
        let tCloture = ContinuousClock.now

        // 3. Results out: every deliberation.resultat.arrete on the queue bound to them.
        let compteur = try await AMQPConnection.connect(amqp)
        let limite = ContinuousClock.now + .seconds(1800)
        var recus = 0
        while ContinuousClock.now < limite {
            recus = try await compteur.messageCount(queue: ecoute)
            if recus >= candidatures.count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        await compteur.close()
        let tPublie = ContinuousClock.now
        guard recus >= candidatures.count else { throw Erreur("only \(recus) results published of \(candidatures.count)") }
        let admis = try await OrganisationLoad.compter(
            runtime.database, "SELECT count(*) FROM \(runtime.database.table("resultats")) WHERE session = $1 AND decision = 'admis'", session.value)

        // 4. The ceilings, in the same run: the engine alone on the same situations, then a COPY
        // of the same result rows.
        let bareme = Bareme(specialite: "BOULANGER", unites: unites.map { .obligatoire($0.code, "Unité \($0.code)", coefficient: $0.coefficient) })
        let jour = SessionDeliberee(code: session, date: try Jour(session.annee, 7, 2))
        let situations = candidatures.indices.map { i in
            Situation(candidat: candidatures[i].numero, forme: .globale, session: jour,
                      resultats: unites.indices.map { Resultat.code(unites[$0].code, notes[i][$0]) })
        }
        let tMoteur = ContinuousClock.now
        var deliberations: [Deliberation] = []
        deliberations.reserveCapacity(situations.count)
        for situation in situations { deliberations.append(try Moteur.deliberer(situation, selon: bareme)) }
        let dureeMoteur = ContinuousClock.now - tMoteur
        let encoder = MessageCoding.encoder()
        var lignes = ByteBuffer()
        for (i, d) in deliberations.enumerated() {
            let json = String(decoding: try encoder.encode(d), as: UTF8.self)
                .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
            lignes.writeString("\(candidatures[i].id.uuidString)\t\(session.value)\t\(candidatures[i].numero)\tBOULANGER\t\(d.decision.rawValue)\t"
                               + "\(d.moyenne.map { String($0.points) } ?? "\\N")\t\(d.moyenne.map { String($0.coefficients) } ?? "\\N")\t\(json)\t1\n")
        }
        let dureeCopy = try await TestStack.withScratchSchema("load_delib_copy") { scratch in
            try await scratch.query(SQL.query("""
                CREATE TABLE \(scratch.table("resultats")) (candidature uuid PRIMARY KEY, session text, numero text, specialite text,
                    decision text, moyenne_points integer, moyenne_coefficients integer, deliberation jsonb, revision integer)
                """))
            let t = ContinuousClock.now
            try await scratch.client.withConnection { connection in
                // copyFrom quotes the table's name itself: the schema comes from the search path.
                try await connection.query(SQL.query("SET search_path TO \"\(scratch.schema)\""), logger: scratch.logger)
                try await connection.copyFrom(table: "resultats", logger: scratch.logger) { writer in
                    try await writer.write(lignes)
                }
            }
            return ContinuousClock.now - t
        }

        let s = OrganisationLoad.secondes
        let n = Double(candidatures.count)
        print("""
            ## Délibération: a session end to end

            \(candidatures.count) candidates of BOULANGER (8 compulsory units, 1 % ABS and 1 % ABJ), \(nombre) juries, \
            \(options.paralleles) HTTP calls at once; session \(session.value). \(admis) admis.

            | phase | seconds | candidates/s |
            |---|---:|---:|
            | events in → copy built (consumer: \(candidatures.count) candidatures, \(unites.count) units' grades and anonymity links) | \(format(s(tCopie - t0), decimals: 1)) | \(format(n / s(tCopie - t0))) |
            | ANALYZE of the copy (autovacuum's work after a bulk load, done here explicitly) | \(format(s(tAnalyse - tCopie), decimals: 1)) | — |
            | \(nombre) juries created (one HTTP call each) | \(format(s(tCreation - tAnalyse), decimals: 1)) | — |
            | répartition of every candidate (one call) | \(format(s(tRepartition - tCreation), decimals: 1)) | \(format(n / s(tRepartition - tCreation))) |
            | juries opened (each checks its candidates' grades: a projection) | \(format(s(tOuverture - tRepartition), decimals: 1)) | \(format(n / s(tOuverture - tRepartition))) |
            | juries closed (deliberated, results stored, events written) | \(format(s(tCloture - tOuverture), decimals: 1)) | \(format(n / s(tCloture - tOuverture))) |
            | results published and received (`deliberation.resultat.arrete`) | \(format(s(tPublie - tCloture), decimals: 1)) | — |
            | **whole: events in → results out** | **\(format(s(tPublie - t0), decimals: 1))** | **\(format(n / s(tPublie - t0)))** |
            | ceiling: the engine alone, same situations, one thread | \(format(s(dureeMoteur), decimals: 2)) | \(format(n / s(dureeMoteur))) |
            | ceiling: COPY of the same result rows into a scratch table | \(format(s(dureeCopy), decimals: 2)) | \(format(n / s(dureeCopy))) |

            """)
        // The session goes (the outbox rows stay, sent).
        let o = runtime.database
        try await o.transaction { connection in
            for (table, condition) in [
                ("journal", "jury IN (SELECT id FROM \(o.table("jurys")) WHERE session = $1)"), ("resultats", "session = $1"),
                ("jury_candidats", "jury IN (SELECT id FROM \(o.table("jurys")) WHERE session = $1)"), ("jurys", "session = $1"),
                ("anonymats", "session = $1"), ("notes", "session = $1"), ("unites_consolidees", "session = $1"),
                ("candidatures", "session = $1"), ("reglements", "session = $1"), ("sessions", "code = $1"),
            ] {
                try await connection.query(SQL.query("DELETE FROM \(o.table(table)) WHERE \(condition)", session.value), logger: o.logger)
            }
        }
    }

    /// Runs `corps` for every element, `largeur` at a time.
    static func enParallele(_ elements: [String], _ largeur: Int, _ corps: @escaping @Sendable (String) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { groupe in
            var reste = elements[...]
            for _ in 0..<largeur { if let e = reste.popFirst() { groupe.addTask { try await corps(e) } } }
            while try await groupe.next() != nil {
                if let e = reste.popFirst() { groupe.addTask { try await corps(e) } }
            }
        }
    }
}
