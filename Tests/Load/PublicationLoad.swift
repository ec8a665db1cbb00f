import AMQP
import AsyncHTTPClient
import Contracts
import Domain
import Foundation
import Logging
import Messaging
import NIOCore
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage
import TestSupport

/// `cyclades-load publication`: results day's preparation, then its release, against the running
/// `cyclades-publication serve` and `cyclades-gateway` of the stack (Tests/Load/run-publication).
/// Stand-ins for réglementation, inscription and délibération publish, through an outbox and its
/// relay on the stack's broker, a session, N validated candidatures (P % consented), their
/// results and one signed PV per jury of 250; two outside subscribers bind their queues to
/// `cyclades.resultats` with the read-only `resultats` credentials; once Publication holds
/// everything, the publication step is opened and the release timed until the gateway's public
/// site answers the last candidate's lookup, and until both subscribers hold every consented
/// result (and nothing else). Writes the lookup keys (`numero naissance` per line) for wrk.
///
///   cyclades-load publication --gateway URL --cles FILE [--candidats N] [--consentement P]
enum PublicationLoad {
    struct Options: Sendable {
        var candidats = 20_000
        var gateway = "http://127.0.0.1:58100"
        var cles = "/tmp/cyclades-cles.txt"
        /// Percentage of candidates who consented to the publication of their name.
        var consentement = 50

        static let usage = "usage: cyclades-load publication --gateway URL --cles FILE [--candidats N] [--consentement P]"

        init(_ arguments: [String]) throws {
            var reste = arguments[...]
            while let option = reste.popFirst() {
                switch option {
                case "--candidats":
                    guard let n = reste.popFirst().flatMap(Int.init), (1...1_000_000).contains(n) else {
                        throw Erreur("--candidats needs an integer in 1...1000000\n\(Self.usage)")
                    }
                    candidats = n
                case "--consentement":
                    guard let p = reste.popFirst().flatMap(Int.init), (0...100).contains(p) else {
                        throw Erreur("--consentement needs a percentage in 0...100\n\(Self.usage)")
                    }
                    consentement = p
                case "--gateway": gateway = try reste.popFirst().orThrow(Erreur("--gateway needs a URL"))
                case "--cles": cles = try reste.popFirst().orThrow(Erreur("--cles needs a file"))
                default: throw Erreur("unknown option \(option)\n\(Self.usage)")
                }
            }
        }
    }

    struct Erreur: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func run(_ arguments: [String]) async throws {
        let options = try Options(arguments)
        let amqp = try TestStack.amqp("admin", connectionName: "cyclades-load-publication")
        let logger = TestStack.logger("cyclades.load.publication")
        var configuration = try ServiceConfiguration(serviceName: "publication", environment: TestStack.environment("publication"))
        configuration.logLevel = .warning
        let publication = Database(configuration: configuration.database, logger: logger)
        note("publication: \(options.candidats) candidates, stack \(TestStack.stackDirectory)")

        try await TestStack.withScratchSchema("load_pub") { producteur in
            try await withThrowingTaskGroup(of: Void.self) { taches in
                taches.addTask { await publication.client.run() }
                defer { taches.cancelAll() }
                try await MigrationRunner(database: producteur).apply(try MessagingMigrations.all())
                let groupe = ServiceGroup(configuration: .init(services: [
                    .init(service: OutboxRelay(database: producteur, publisher: AMQPPublisher(configuration: amqp), logger: logger)),
                ], logger: logger))
                taches.addTask { try await groupe.run() }
                do {
                    try await mesurer(options, publication: publication, producteur: producteur)
                } catch {
                    await groupe.triggerGracefulShutdown()
                    throw error
                }
                await groupe.triggerGracefulShutdown()
            }
        }
    }

    static func mesurer(_ options: Options, publication: Database, producteur: Database) async throws {
        let session = try await OrganisationLoad.sessionLibre(publication)
        // Numéros of this run only (`L2045070000042`): an earlier run's released session on the
        // same stack must not answer for them.
        let prefixe = "L" + session.value.filter(\.isNumber)
        // An académie of this run only too: the subscribers bind to it, and nothing an earlier
        // run left on the exchange reaches them.
        let academie = "B" + session.value.filter(\.isNumber)
        func consenti(_ n: Int) -> Bool { n % 100 < options.consentement }
        let parJury = 250
        var candidatures: [CandidatureEtat] = []
        var resultats: [ResultatArrete] = []
        for n in 0..<options.candidats {
            let jour = 1 + n % 28, mois = 1 + (n / 28) % 12
            let candidature = CandidatureEtat(
                id: UUID(), numero: prefixe + String(format: "%07d", n), session: session,
                candidat: IdentiteCandidat(nomFamille: "Nom\(n)", nomUsage: nil, prenoms: "Prénom", sexe: n % 2 == 0 ? .feminin : .masculin,
                                           dateNaissance: String(format: "2005-%02d-%02d", mois, jour), communeNaissance: "Paris", ine: nil),
                categorie: .apprenti, categorieReglementaire: .apprentiCFANonHabilite, etablissement: nil, specialite: "BOULANGER",
                reglementVersion: 1, forme: .globale, unites: [], amenagements: [], consentementPublication: consenti(n), revision: 1)
            candidatures.append(candidature)
            let admis = n % 4 != 3
            resultats.append(ResultatArrete(
                session: session, candidature: candidature.id, numero: candidature.numero, specialite: "BOULANGER",
                jury: String(format: "J%03d", n / parJury + 1), decision: admis ? "admis" : "ajourne", moyenne: admis ? "12.00" : "08.00",
                decisionDuJury: false,
                unites: [.init(unite: "U10", libelle: "Fabrication", coefficient: 12, facultative: false, note: admis ? "12.00" : "08.00",
                               statut: admis ? "obtenue" : "non_obtenue", sessionOrigine: nil, pointsDeJury: false)],
                acquis: [], reportables: [], attestationDeReussite: false, sessionDeRemplacement: false, revision: 1))
        }
        let jurys = Dictionary(grouping: resultats, by: \.jury).sorted { $0.key < $1.key }.map { jury, lignes in
            JuryClos(session: session, jury: jury, specialite: "BOULANGER", candidats: lignes.count,
                     admis: lignes.filter { $0.decision == "admis" }.count, versionPV: 1, closPar: "load", resultats: lignes.map(JuryClos.Arrete.init))
        }

        // 1. Results day's preparation: everything in, under embargo.
        let publie = OutboxWriter(database: producteur, producer: "load")
        let t0 = ContinuousClock.now
        try await producteur.transaction { connection in
            try await publie.write(SessionOuverte(session: session, academie: academie, libelle: "Session de charge", ouvertePar: "load"),
                                   aggregate: session.value, on: connection, logger: producteur.logger)
        }
        for debut in stride(from: 0, to: candidatures.count, by: 1000) {
            let fin = min(debut + 1000, candidatures.count)
            try await producteur.transaction { connection in
                try await publie.write(try candidatures[debut..<fin].map { try publie.entry(CandidatureValidee($0), aggregate: $0.id.uuidString) }
                                       + resultats[debut..<fin].map { try publie.entry($0, aggregate: $0.candidature.uuidString) },
                                       on: connection, logger: producteur.logger)
            }
        }
        try await producteur.transaction { connection in
            try await publie.write(try jurys.map { try publie.entry($0, aggregate: "\(session.value):\($0.jury)") }, on: connection, logger: producteur.logger)
        }
        try await attendre("the copy of \(options.candidats) results and \(jurys.count) PVs") {
            let rows = try await publication.query(SQL.query(
                """
                SELECT (SELECT count(*) FROM \(publication.table("resultats")) WHERE session = $1)
                     + (SELECT count(*) FROM \(publication.table("proces_verbaux")) WHERE session = $1)
                     + (SELECT count(*) FROM \(publication.table("candidatures")) WHERE session = $1)
                """, session.value))
            for try await n in rows.decode(Int64.self) { return Int(n) == 2 * options.candidats + jurys.count }
            return false
        }
        let copie = ContinuousClock.now - t0

        // Two outside bodies subscribe, with the read-only credentials, before results day.
        let abonne = try TestStack.amqp("resultats", connectionName: "cyclades-load-abonne")
        let abonnes = (1...2).map { TestStack.uniqueName("resultats.load-\($0)") }
        let attendus = (0..<options.candidats).filter(consenti).count
        let connexion = try await AMQPConnection.connect(abonne)
        defer { Task { await connexion.close() } }
        for queue in abonnes {
            try await connexion.declare(AMQPTopology(
                queues: [.quorum(queue)], bindings: [.init(queue: queue, exchange: Topology.resultats, routingKey: "\(academie).#")]))
        }

        // 2. The release: the step opens; until the gateway answers the last candidate.
        guard let dernier = candidatures.last else { return }
        let url = "\(options.gateway)/resultats/consultation?numero=\(dernier.numero)&naissance=\(dernier.candidat.dateNaissance)"
        let t1 = ContinuousClock.now
        try await producteur.transaction { connection in
            try await publie.write(ServiceOuvert(session: session, service: .publication, ouvertPar: "load"), aggregate: session.value,
                                   on: connection, logger: producteur.logger)
        }
        // Three moments, each timed from the step's opening when first seen: the release
        // committed (reconciliation, public rows, outbox), both subscribers holding every
        // consented result (the relay's fan-out), the gateway answering the last lookup.
        var liberee: Duration?, diffusee: Duration?, repondue: Duration?
        try await attendre("the release, the fan-out and the gateway's answer") {
            if liberee == nil {
                let rows = try await publication.query(SQL.query(
                    "SELECT count(*)::int8 FROM \(publication.table("publications")) WHERE session = $1 AND publiee_le IS NOT NULL", session.value))
                for try await n in rows.decode(Int64.self) where n > 0 { liberee = ContinuousClock.now - t1 }
            }
            if diffusee == nil {
                var pleines = true
                for queue in abonnes { pleines = try await connexion.messageCount(queue: queue) >= attendus && pleines }
                if pleines { diffusee = ContinuousClock.now - t1 }
            }
            if repondue == nil {
                let reponse = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
                let corps = try await reponse.body.collect(upTo: 1 << 20)
                if reponse.status == .ok && String(buffer: corps).contains("Décision du jury") { repondue = ContinuousClock.now - t1 }
            }
            return liberee != nil && diffusee != nil && repondue != nil
        }
        let messages = try await OrganisationLoad.compter(
            publication,
            "SELECT count(*) FROM \(publication.table("outbox")) WHERE type = '\(ResultatPublie.type)' AND position(convert_to($1, 'UTF8') in envelope) > 0",
            session.value)
        var recus: [Int] = []
        for queue in abonnes { recus.append(try await connexion.messageCount(queue: queue)) }
        // What a subscriber got: consented candidates of this session only, named, no grade.
        var verifies = 0, horsConsentement = 0
        while verifies < min(1000, attendus), let message = try await connexion.get(queue: abonnes[0]) {
            let resultat = try MessageCoding.decoder().decode(Envelope<ResultatPublie>.self, from: Data(message.body)).payload
            if let n = Int(resultat.numero.dropFirst(prefixe.count)), resultat.numero.hasPrefix(prefixe), !consenti(n) || resultat.nomFamille.isEmpty {
                horsConsentement += 1
            }
            verifies += 1
        }
        for queue in abonnes { try? await connexion.deleteQueue(queue) }

        try candidatures.map { "\($0.numero) \($0.candidat.dateNaissance)" }.joined(separator: "\n")
            .write(toFile: options.cles, atomically: true, encoding: .utf8)
        print("""
            ### Results day (publication), \(options.candidats) candidates, \(jurys.count) juries

            | step | time |
            |---|---|
            | copy under embargo (candidatures, results, PVs through RabbitMQ) | \(secondes(copie)) s |
            | release committed: step opened → reconciled, public, \(messages) result messages in the outbox | \(secondes(liberee ?? .zero)) s |
            | fan-out: step opened → both subscribers hold every consented result (\(attendus) each; received \(recus.map(String.init).joined(separator: " and "))) | \(secondes(diffusee ?? .zero)) s |
            | of which the relay's fan-out (after the commit) | \(secondes((diffusee ?? .zero) - (liberee ?? .zero))) s, \(debit(2 * attendus, (diffusee ?? .zero) - (liberee ?? .zero))) messages/s delivered |
            | public site: step opened → the gateway answers the last candidate (its pages rendered) | \(secondes(repondue ?? .zero)) s |
            | check of \(verifies) messages of a subscriber: not consented or unnamed | \(horsConsentement) |

            """)
    }

    static func attendre(_ quoi: String, _ condition: () async throws -> Bool) async throws {
        let limite = ContinuousClock.now + .seconds(900)
        while ContinuousClock.now < limite {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Erreur("\(quoi): not within 15 minutes")
    }

    static func debit(_ n: Int, _ duree: Duration) -> String {
        let s = Double(duree.components.seconds) + Double(duree.components.attoseconds) / 1e18
        return s > 0 ? String(format: "%.0f", Double(n) / s) : "—"
    }

    static func secondes(_ duree: Duration) -> String {
        String(format: "%.1f", Double(duree.components.seconds) + Double(duree.components.attoseconds) / 1e18)
    }
}

extension Optional {
    func orThrow(_ erreur: some Error) throws -> Wrapped {
        guard let valeur = self else { throw erreur }
        return valeur
    }
}
