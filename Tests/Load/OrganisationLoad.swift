import AMQP
import AsyncHTTPClient
import Contracts
import Domain
import Foundation
import Hummingbird
import Logging
import Messaging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Organisation
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage
import TestSupport

/// `cyclades-load organisation`: the automatic assignment at the size of a real session. A
/// stand-in for réglementation and inscription publishes, through an outbox and its relay on the
/// stack's broker, a session, its règlement (4 ponctual units at 4 sittings), 40 centres with
/// their rooms and 30,000 validated candidatures (300 with aménagements: separate room or extra
/// time); the Organisation service (its consumer on a queue of its own, its HTTP routes on a
/// local port, its relay) builds its copy; then the gestionnaire's `affectation-automatique` is
/// called over HTTP and timed, and the result checked in SQL, independently of the algorithm: no
/// sitting of any centre over its seats, no more separate-room candidates than rooms, every
/// unplaced épreuve-candidat with its reason. Prints a markdown report.
///
///   swift build -c release --product cyclades-load
///   CYCLADES_STACK_DIR=/var/tmp/cyclades-test .build/release/cyclades-load organisation [--candidats N] [--centres C] [--amenagements A]
enum OrganisationLoad {
    struct Options: Sendable {
        var candidats = 30_000
        var centres = 40
        var amenagements = 300
        var port = 58_190
        /// Seats per sitting, as a share of the candidates (below 1: some cannot be placed).
        var capacite = 0.97

        static let usage = "usage: cyclades-load organisation [--candidats N] [--centres C] [--amenagements A] [--capacite 0.97] [--port P]"

        init(_ arguments: [String]) throws {
            var reste = arguments[...]
            func valeur(_ option: String) throws -> String {
                guard let v = reste.popFirst() else { throw Erreur("\(option) needs a value\n\(Self.usage)") }
                return v
            }
            while let option = reste.popFirst() {
                switch option {
                case "--candidats": candidats = Int(try valeur(option)) ?? candidats
                case "--centres": centres = Int(try valeur(option)) ?? centres
                case "--amenagements": amenagements = Int(try valeur(option)) ?? amenagements
                case "--capacite": capacite = Double(try valeur(option)) ?? capacite
                case "--port": port = Int(try valeur(option)) ?? port
                default: throw Erreur("unknown option \(option)\n\(Self.usage)")
                }
            }
        }
    }

    struct Erreur: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A seeded generator (SplitMix64): the same session every run.
    struct Graine: RandomNumberGenerator {
        var etat: UInt64
        mutating func next() -> UInt64 {
            etat &+= 0x9E37_79B9_7F4A_7C15
            var z = etat
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func uai(_ departement: Int, _ numero: Int) -> String {
        let chiffres = String(format: "%03d%04d", departement, numero)
        return chiffres + String(UAI.checkLetter(for: chiffres)!)
    }

    static func run(_ arguments: [String]) async throws {
        let options = try Options(arguments)
        var configuration = try ServiceConfiguration(serviceName: OrganisationService.name, environment: TestStack.environment("organisation"))
        configuration.httpPort = options.port
        configuration.logLevel = .warning
        let runtime = await ServiceRuntime(configuration: configuration)
        let amqp = try TestStack.amqp("admin", connectionName: "cyclades-load-organisation")
        let logger = TestStack.logger("cyclades.load.organisation")
        note("organisation: \(options.candidats) candidates, \(options.centres) centres, \(options.amenagements) aménagements, stack \(TestStack.stackDirectory)")

        try await TestStack.withScratchSchema("load_org") { producteur in
            try await withThrowingTaskGroup(of: Void.self) { taches in
                taches.addTask { await runtime.database.client.run() }
                defer { taches.cancelAll() }
                try await MigrationRunner(database: runtime.database).apply(ServiceRuntime.allMigrations(OrganisationService.self))
                try await MigrationRunner(database: producteur).apply(try MessagingMigrations.all())

                let handlers = OrganisationService.handlers(runtime: runtime)
                let queue = TestStack.uniqueName("load.organisation") + ".events"
                let topology = MessageConsumer.topology(queue: queue, handlers: handlers)
                let setup = try await AMQPConnection.connect(amqp)
                try await setup.declare(topology)
                await setup.close()
                let application = Application(
                    router: try await runtime.router(for: OrganisationService.self),
                    configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "cyclades-organisation-load"),
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
                    try await mesurer(options, runtime: runtime, producteur: producteur)
                } catch {
                    await groupe.triggerGracefulShutdown()
                    await supprimer(queue, amqp)
                    throw error
                }
                await groupe.triggerGracefulShutdown()
                await supprimer(queue, amqp)
            }
        }
    }

    static func supprimer(_ queue: String, _ amqp: AMQPConfiguration) async {
        guard let connection = try? await AMQPConnection.connect(amqp) else { return }
        try? await connection.deleteQueue(queue)
        try? await connection.deleteQueue("\(queue).dlq")
        await connection.close()
    }

    static func secondes(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func mesurer(_ options: Options, runtime: ServiceRuntime, producteur: Database) async throws {
        var graine = Graine(etat: 20_270_608)
        let session = try await sessionLibre(runtime.database)
        let jours = ["\(session.annee)-06-08T08:00", "\(session.annee)-06-08T14:00", "\(session.annee)-06-09T09:00", "\(session.annee)-06-09T14:00"]
        let reglement = Reglement(specialite: "BOULANGER", libelle: "Boulanger", version: 1, reference: "load", epreuves: (0..<4).map { i in
            Epreuve(code: "E\(i + 1)", libelle: "Épreuve \(i + 1)", coefficient: 3, unites: [
                Unite(code: "U\(i + 1)0", libelle: "Unité \(i + 1)", coefficient: 3, formes: [i == 0 ? .pratique : .ecrite], dureeMinutes: [240, 120, 180, 150][i],
                      modes: [:], dates: [DateNationale(session: session, debut: jours[i], sujet: "SUJET-\(i + 1)")]),
            ])
        })
        // Centres: 10 départements; rooms of 20 to 40 seats and 2 to 4 single rooms, scaled so
        // that the seats of a sitting are `capacite` × the candidates.
        let departements = [75, 92, 93, 94, 77, 78, 91, 95, 69, 13]
        var centres: [CentreEtat] = []
        let cible = Int(Double(options.candidats) * options.capacite)
        for c in 0..<options.centres {
            let petites = Int.random(in: 2...4, using: &graine)
            let part = cible / options.centres - petites
            var salles: [Salle] = (0..<petites).map { Salle(nom: "S\($0 + 1)", places: 1) }
            var reste = part, n = 1
            while reste > 0 {
                let places = min(reste, Int.random(in: 20...40, using: &graine))
                salles.append(Salle(nom: "Salle \(n)", places: places))
                reste -= places
                n += 1
            }
            centres.append(CentreEtat(
                session: session, uai: try UAI(uai(departements[c % departements.count], 9000 + c)), nom: "Centre d'épreuve \(c + 1)",
                commune: "Commune \(c + 1)", secteur: .public, habilitationCFA: false, habilitationFPC: false, roles: [.epreuve],
                gestionAutonome: false, salles: salles, revision: 1))
        }
        // Établissements of 20 to 80 candidates; aménagements spread: a third separate room, the rest extra time.
        var candidatures: [CandidatureEtat] = []
        var etablissement = 0
        while candidatures.count < options.candidats {
            let taille = min(options.candidats - candidatures.count, Int.random(in: 20...80, using: &graine))
            let uaiEtab = try UAI(uai(departements[etablissement % departements.count], etablissement))
            for _ in 0..<taille {
                let n = candidatures.count
                candidatures.append(CandidatureEtat(
                    id: UUID(), numero: String(format: "%08d", 30_000_000 + n), session: session,
                    candidat: IdentiteCandidat(nomFamille: "Nom\(n)", nomUsage: nil, prenoms: "Prénom", sexe: n % 2 == 0 ? .feminin : .masculin,
                                               dateNaissance: "2005-01-01", communeNaissance: "Paris", ine: nil),
                    categorie: .apprenti, categorieReglementaire: .apprentiCFANonHabilite,
                    etablissement: EtablissementInscription(uai: uaiEtab, nom: "Établissement \(etablissement)", gestionAutonome: false),
                    specialite: "BOULANGER", reglementVersion: 1, forme: .globale,
                    unites: (1...4).map { UniteInscrite(code: "U\($0)0", epreuve: "E\($0)", libelle: "Unité \($0)", coefficient: 3, facultative: false,
                                                        situation: .presentee, mode: .ponctuel) },
                    amenagements: [], revision: 1))
            }
            etablissement += 1
        }
        let pas = max(1, options.candidats / max(1, options.amenagements))
        for (k, index) in stride(from: pas / 2, to: options.candidats, by: pas).prefix(options.amenagements).enumerated() {
            candidatures[index].amenagements = k % 3 == 0 ? [MesureAmenagement(type: .salleSeparee)]
                : [MesureAmenagement(type: .tempsMajore, majorationPourcent: 33)]
        }
        let seances = centres.map { $0.salles.reduce(0) { $0 + $1.places } }.reduce(0, +)
        note("session \(session.value): \(etablissement) établissements, \(seances) seats per sitting")

        // The stand-in publishes; organisation's consumer builds its copy.
        let inscription = OutboxWriter(database: producteur, producer: "load")
        let debutCopie = ContinuousClock.now
        try await producteur.transaction { connection in
            var entries = [
                try inscription.entry(SessionOuverte(session: session, academie: "A01", libelle: "Session de charge", ouvertePar: "load"), aggregate: session.value),
                try inscription.entry(ReglementPublie(session: session, academie: "A01", version: 1, publiePar: "load",
                                                      specialites: [SpecialiteOfferte(reglement: reglement, optionsOffertes: [])], piecesJustificatives: []),
                                      aggregate: session.value),
            ]
            entries += try centres.map { try inscription.entry(CentreDeclare($0), aggregate: "\(session.value)/\($0.uai.value)") }
            try await inscription.write(entries, on: connection, logger: producteur.logger)
        }
        try await attendre(runtime.database, "centres", session, centres.count, secondes: 60)
        for debut in stride(from: 0, to: candidatures.count, by: 1000) {
            let lot = candidatures[debut..<min(debut + 1000, candidatures.count)]
            try await producteur.transaction { connection in
                try await inscription.write(try lot.map { try inscription.entry(CandidatureValidee($0), aggregate: $0.id.uuidString) },
                                            on: connection, logger: producteur.logger)
            }
        }
        try await attendre(runtime.database, "candidatures", session, candidatures.count, secondes: 900)
        let dureeCopie = ContinuousClock.now - debutCopie
        note("copy built: \(candidatures.count) candidatures in \(format(secondes(dureeCopie), decimals: 1)) s")

        // The gestionnaire's automatic assignment, over HTTP, timed.
        let jeton = try await runtime.tokens.sign(InternalIdentity(subject: "load-gestionnaire", role: .gestionnaire))
        let (statut, corps, dureeAffectation) = try await appeler(
            "http://127.0.0.1:\(options.port)/v1/sessions/\(session.value)/affectation-automatique", jeton: jeton)
        guard statut == .ok else { throw Erreur("affectation-automatique answered \(statut): \(String(buffer: corps).prefix(500))") }
        struct Rapport: Decodable {
            struct NonPlace: Decodable { var motif: String; var unites: [String] }
            var candidats: Int; var epreuves: Int; var candidatsPlaces: Int; var epreuvesPlacees: Int; var groupesScindes: Int
            var nonPlaces: [NonPlace]; var affectationsPubliees: Int; var millisecondes: Int
        }
        let rapport = try JSONDecoder().decode(Rapport.self, from: corps)
        note("assigned in \(format(secondes(dureeAffectation), decimals: 2)) s: \(rapport.candidatsPlaces) placed, \(rapport.nonPlaces.count) not")

        // Checked in SQL, independently of the algorithm.
        let o = runtime.database
        let depassements = try await compter(o, """
            SELECT count(*) FROM (
                SELECT f.centre, f.debut, count(*) AS inscrits, count(*) FILTER (WHERE c.salle_separee) AS separees
                FROM \(o.table("affectations")) f JOIN \(o.table("candidatures")) c ON c.id = f.candidature
                WHERE f.session = $1 AND f.centre IS NOT NULL GROUP BY f.centre, f.debut) x
            JOIN (SELECT uai, sum(places) AS places, count(*) AS salles FROM \(o.table("salles")) WHERE session = $1 GROUP BY uai) s ON s.uai = x.centre
            WHERE x.inscrits > s.places OR x.separees > s.salles
            """, session.value)
        let sansMotif = try await compter(o, "SELECT count(*) FROM \(o.table("affectations")) WHERE session = $1 AND centre IS NULL AND (motif IS NULL OR motif = '')", session.value)
        let nonPlacees = try await compter(o, "SELECT count(*) FROM \(o.table("affectations")) WHERE session = $1 AND centre IS NULL", session.value)
        let scindes = try await compter(o, """
            SELECT count(*) FROM (SELECT c.uai FROM \(o.table("affectations")) f JOIN \(o.table("candidatures")) c ON c.id = f.candidature
                                  WHERE f.session = $1 AND f.centre IS NOT NULL GROUP BY c.uai HAVING count(DISTINCT f.centre) > 1) x
            """, session.value)
        let candidatsScindes = try await compter(o, """
            SELECT count(*) FROM (SELECT candidature FROM \(o.table("affectations")) WHERE session = $1 AND centre IS NOT NULL
                                  GROUP BY candidature HAVING count(DISTINCT centre) > 1) x
            """, session.value)
        var motifs: [String: Int] = [:]
        for np in rapport.nonPlaces {
            let cle = np.motif.contains("salle séparée") ? "salle séparée" : np.motif.contains("temps majoré") ? "temps majoré"
                : np.motif.contains("capacité atteinte") ? "capacité atteinte" : "autre"
            motifs[cle, default: 0] += 1
        }
        let avecAmenagement = candidatures.filter { !$0.amenagements.isEmpty }.count
        print("""
            ## Organisation: automatic assignment

            \(options.candidats) candidates (\(etablissement) établissements, \(avecAmenagement) with aménagements: \
            \(candidatures.filter { $0.amenagements.contains { $0.type == .salleSeparee } }.count) separate room, \
            \(candidatures.filter { $0.amenagements.contains { $0.type == .tempsMajore } }.count) extra time), \
            4 ponctual units each at 4 sittings, \(options.centres) centres with \(seances) seats per sitting; session \(session.value).

            | measure | value |
            |---|---:|
            | copy built from events (consumer), s | \(format(secondes(dureeCopie), decimals: 1)) |
            | copy built, candidatures/s | \(format(Double(candidatures.count) / secondes(dureeCopie))) |
            | automatic assignment, HTTP call, s | \(format(secondes(dureeAffectation), decimals: 2)) |
            | automatic assignment, server-side (load, compute, write, events), ms | \(rapport.millisecondes) |
            | épreuves-candidats placed / total | \(rapport.epreuvesPlacees) / \(rapport.epreuves) |
            | candidates placed / unplaced | \(rapport.candidatsPlaces) / \(rapport.nonPlaces.count) |
            | unplaced reasons | \(motifs.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")) |
            | `organisation.candidat.affecte` events written | \(rapport.affectationsPubliees) |
            | sittings over their seats or separate rooms (SQL check) | \(depassements) |
            | unplaced épreuves-candidats without a reason (SQL check) | \(sansMotif) of \(nonPlacees) |
            | candidates split over centres | \(candidatsScindes) |
            | établissements split over centres | \(scindes) of \(etablissement) (algorithm: \(rapport.groupesScindes)) |

            """)
        // The session's copy goes (its code is free again; the outbox rows stay, sent).
        try await o.transaction { connection in
            for (table, colonne) in [("candidatures", "session"), ("lots_anonymat", "session"), ("regroupements", "session"), ("centres", "session"),
                                     ("unites", "session"), ("reglements", "session"), ("sessions", "code")] {
                try await connection.query(SQL.query("DELETE FROM \(o.table(table)) WHERE \(colonne) = $1", session.value), logger: o.logger)
            }
        }
        guard depassements == 0, sansMotif == 0, candidatsScindes == 0, nonPlacees == rapport.nonPlaces.count * 4 else {
            throw Erreur("the assignment breaks a rule: see the report")
        }
    }

    /// One POST to the service, timed from the request to the last byte of the answer.
    static func appeler(_ url: String, jeton: String) async throws -> (HTTPResponseStatus, ByteBuffer, Duration) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var requete = HTTPClientRequest(url: url)
            requete.method = .POST
            requete.headers.add(name: "Authorization", value: "Bearer \(jeton)")
            let t0 = ContinuousClock.now
            let reponse = try await client.execute(requete, timeout: .seconds(900))
            let corps = try await reponse.body.collect(upTo: 64 << 20)
            let duree = ContinuousClock.now - t0
            try await client.shutdown()
            return (reponse.status, corps, duree)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func compter(_ database: Database, _ sql: String, _ session: String) async throws -> Int {
        let rows = try await database.query(SQL.query("SELECT (\(sql))::int8", session))
        for try await n in rows.decode(Int64.self) { return Int(n) }
        return 0
    }

    static func attendre(_ database: Database, _ table: String, _ session: SessionCode, _ n: Int, secondes: Int) async throws {
        let limite = ContinuousClock.now + .seconds(secondes)
        var dernier = -1
        while ContinuousClock.now < limite {
            let vus = try await compter(database, "SELECT count(*) FROM \(database.table(table)) WHERE session = $1", session.value)
            if vus >= n { return }
            if vus / 5000 != dernier / 5000 { note("  \(table): \(vus) / \(n)") }
            dernier = vus
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Erreur("\(table): fewer than \(n) rows after \(secondes) s")
    }

    static func sessionLibre(_ database: Database) async throws -> SessionCode {
        for _ in 0..<500 {
            let code = try SessionCode("BP-20\(Int.random(in: 30...99))-\(String(format: "%02d", Int.random(in: 1...12)))-N")
            if try await compter(database, "SELECT count(*) FROM \(database.table("sessions")) WHERE code = $1", code.value) == 0 { return code }
        }
        throw Erreur("no free session code")
    }
}
