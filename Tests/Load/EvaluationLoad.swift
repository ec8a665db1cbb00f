import AMQP
import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Messaging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PostgresNIO
import Storage
import Synchronization
import TestSupport

/// `cyclades-load evaluation`: grade collection at peak correction, through the gateway's public
/// API as the graders' portal calls it. Run it through `Tests/Load/run-evaluation`, which starts
/// the gateway, `cyclades-evaluation serve` and N workers on the `bench` stack.
///
/// Set-up (not timed): a fresh session whose réglementation and organisation events are
/// published on `cyclades.events` as those services would (session, `collecte_notes` opened, a
/// centre de correction, `organisation.anonymat.attribue` for the copies of 10 units); the
/// gestionnaire splits every unit into lots of `--taille` and assigns one grader per lot through
/// the API; grader accounts are created in the gateway's schema with their session opened and
/// signed as the gateway's own login does (`SessionTokens.open`: a `user_sessions` row and an
/// HS256 token with the gateway's secret) — bcrypt logins of thousands of graders would measure
/// bcrypt, not grade entry.
///
/// Timed: `--concurrence` graders at once post their grades (`POST /api/v1/evaluation/lots/{id}/notes?attendre=…`),
/// either a whole lot per command (`lot`) or one grade per command (`unitaire`); each call
/// returns when a worker has committed the grade (LISTEN/NOTIFY): its duration is the submit →
/// persisted latency. Then the ceiling: the same rows `COPY`ed straight into a table of the same
/// shape.
enum EvaluationLoad {
    struct Options {
        var gateway = "http://127.0.0.1:58100"
        var copies = 300_000
        var taille = 50
        var concurrence = 64
        var modes = ["lot", "unitaire"]
        var unites = 10
        var attendre = 10_000
        var etiquette = ""
        var stack = ProcessInfo.processInfo.environment["CYCLADES_STACK_DIR"] ?? "/var/tmp/cyclades-bench"
        /// `file` modes: the worker counts to run, and the worker binary they start.
        var travailleurs = [1, 2, 4]
        var travailleur: String?

        static let usage = """
            usage: cyclades-load evaluation [--gateway URL] [--copies N (300000)] [--taille 50] [--concurrence 64]
                     [--mode lot|unitaire|both|file|file-unitaire|files] [--unites 10] [--attendre MS] [--etiquette TEXT] [--stack DIR]
                     [--workers "1 2 4" --worker-bin PATH]   (file modes: the queue filled first, then drained by N workers)
            """

        init(_ arguments: [String]) throws {
            var i = 0
            func valeur() throws -> String {
                i += 1
                guard i < arguments.count else { throw Erreur("\(arguments[i - 1]) needs a value\n\(Self.usage)") }
                return arguments[i]
            }
            func entier() throws -> Int {
                let texte = try valeur()
                guard let n = Int(texte), n > 0 else { throw Erreur("\(arguments[i - 1]) expects a positive integer, got \(texte)") }
                return n
            }
            while i < arguments.count {
                switch arguments[i] {
                case "--gateway": gateway = try valeur()
                case "--copies": copies = try entier()
                case "--taille": taille = try entier()
                case "--concurrence": concurrence = try entier()
                case "--unites": unites = try entier()
                case "--attendre": attendre = try entier()
                case "--etiquette": etiquette = try valeur()
                case "--stack": stack = try valeur()
                case "--worker-bin": travailleur = try valeur()
                case "--workers":
                    let texte = try valeur()
                    travailleurs = texte.split(separator: " ").compactMap { Int($0) }.filter { $0 > 0 }
                    guard !travailleurs.isEmpty else { throw Erreur("--workers expects counts, e.g. \"1 2 4\"") }
                case "--mode":
                    let texte = try valeur()
                    modes = texte == "both" ? ["lot", "unitaire"] : texte == "files" ? ["file", "file-unitaire"] : [texte]
                    guard ["lot", "unitaire", "file", "file-unitaire"].contains(modes[0]) else {
                        throw Erreur("--mode lot|unitaire|both|file|file-unitaire")
                    }
                case "-h", "--help": print(Self.usage); exit(0)
                default: throw Erreur("unknown option \(arguments[i])\n\(Self.usage)")
                }
                i += 1
            }
        }
    }

    struct Erreur: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func run(_ arguments: [String]) async throws {
        do {
            try await executer(arguments)
        } catch let error as Erreur {
            throw error
        } catch {
            throw Erreur(String(reflecting: error))
        }
    }

    static func executer(_ arguments: [String]) async throws {
        let options = try Options(arguments)
        setenv("CYCLADES_STACK_DIR", options.stack, 1)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            timeout: .init(connect: .seconds(5), read: .seconds(60)),
            connectionPool: .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: options.concurrence + 8)))
        var logger = Logger(label: "cyclades.load.evaluation")
        logger.logLevel = .warning
        let admin = Database(configuration: try TestStack.database("admin"), logger: logger)
        do {
            try await TestStack.withRunningClient(admin.client) {
                var lignes: [String] = [], vidages: [String] = []
                for mode in options.modes {
                    if mode.hasPrefix("file") {
                        vidages += try await vider(mode, options, client: client, admin: admin)
                        continue
                    }
                    let banc = try await Banc.preparer(options, client: client, admin: admin)
                    lignes.append(try await mesurer(mode, options, banc, client: client, admin: admin))
                }
                if !lignes.isEmpty {
                    print("""
                        | run | mode | grades | seconds | grades/s | p50 ms | p99 ms | errors | CPU s / 10k grades (gateway · evaluation API · workers · PostgreSQL · RabbitMQ · load tool) | COPY ceiling rows/s | ratio to ceiling |
                        |---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|
                        """)
                    for ligne in lignes { print(ligne) }
                }
                if !vidages.isEmpty {
                    print("""
                        | workers | mode | commands | grades | seconds | grades/s | CPU s / 10k grades (workers · evaluation serve: outbox relay · PostgreSQL · RabbitMQ) |
                        |---:|---|---:|---:|---:|---:|---|
                        """)
                    for ligne in vidages { print(ligne) }
                }
            }
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    // MARK: Set-up

    struct Banc {
        var session: String
        var gestionnaire: String
        /// lot id → (grader's subject and token, its copies)
        var lots: [(id: String, sujet: String, jeton: String, copies: [String])]
    }

    static func log(_ texte: String) { FileHandle.standardError.write(Data("[evaluation-load] \(texte)\n".utf8)) }

    static func uai() -> String {
        let chiffres = String(format: "%07d", Int.random(in: 0...9_999_999))
        return chiffres + String(Array("ABCDEFGHJKLMNPRSTUVWXYZ")[Int(chiffres)! % 23])
    }
}

extension EvaluationLoad.Banc {
    static func preparer(_ options: EvaluationLoad.Options, client: HTTPClient, admin: Database) async throws -> Self {
        typealias L = EvaluationLoad
        let session = "BP-20\(Int.random(in: 30...99))-\(String(format: "%02d", Int.random(in: 1...12)))-\(["N", "R"].randomElement()!)"
        let centre = L.uai()
        L.log("session \(session): publishing réglementation and organisation events for \(options.copies) copies")
        var messages: [AMQPOutgoingMessage] = []
        func evenement(_ type: String, _ payload: String) {
            let id = UUID().uuidString.lowercased()
            let enveloppe = #"{"id":"\#(id)","type":"\#(type)","version":1,"occurredAt":"2027-06-01T08:00:00.000Z","producer":"load","correlationId":"\#(id)","payload":\#(payload)}"#
            messages.append(AMQPOutgoingMessage(exchange: Topology.events, routingKey: type, body: Array(enveloppe.utf8), messageID: id, type: type))
        }
        evenement("reglementation.session.ouverte", #"{"session":"\#(session)","academie":"A01","libelle":"Charge","ouvertePar":"load"}"#)
        evenement("reglementation.service.ouvert", #"{"session":"\#(session)","service":"collecte_notes","ouvertPar":"load","reouverture":false}"#)
        evenement("reglementation.centre.declare", #"{"session":"\#(session)","uai":"\#(centre)","nom":"Centre de correction","commune":"Lyon","secteur":"public","habilitationCFA":false,"habilitationFPC":false,"roles":["correction"],"gestionAutonome":false,"salles":[],"revision":1}"#)
        let parUnite = options.copies / options.unites
        var numero = Int.random(in: 0..<1_000_000) * 10_000_000
        let paquet = 5_000
        for u in 0..<options.unites {
            let unite = "U\(u + 1)0"
            var restantes = parUnite + (u == 0 ? options.copies % options.unites : 0)
            var centreEpreuve = 0
            while restantes > 0 {
                let n = min(paquet, restantes)
                let copies = (0..<n).map { _ in numero += 1; return "\"A\(numero)\"" }.joined(separator: ",")
                evenement("organisation.anonymat.attribue", #"{"session":"\#(session)","specialite":"BOULANGER","epreuve":"E\#(u + 1)","unite":"\#(unite)","forme":"ecrite","mode":"ponctuel","centre":"\#(L.uai())","pasCentiemes":25,"copies":[\#(copies)],"revision":1}"#)
                restantes -= n
                centreEpreuve += 1
            }
        }
        let amqp = try TestStack.amqp("admin", connectionName: "load-evaluation")
        let connexion = try await AMQPConnection.connect(amqp)
        try await connexion.publish(messages, window: 200)
        await connexion.close()
        let ev = "\"evaluation\""
        let attente = ContinuousClock.now
        while true {
            let rows = try await admin.query(SQL.query("SELECT count(*)::int8 FROM \(ev).copies WHERE session = $1", session))
            var n: Int64 = 0
            for try await c in rows.decode(Int64.self) { n = c }
            if n >= options.copies { break }
            if ContinuousClock.now - attente > .seconds(300) { throw L.Erreur("evaluation received \(n) of \(options.copies) copies in 300 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Identities: a gestionnaire, then one grader per lot once the lots exist.
        let secret = try TestStack.environment("gateway")["CYCLADES_SESSION_TOKEN_SECRET"] ?? ""
        let gestionnaire = try await compte(admin, role: "gestionnaire", scopes: [], secret: secret)
        let api = "\(options.gateway)/api/v1/evaluation"
        for u in 0..<options.unites {
            let reponse = try await HTTPAppel.appel(client, .POST, "\(api)/sessions/\(session)/unites/U\(u + 1)0/lots", jeton: gestionnaire.jeton,
                                            json: #"{"centre":"\#(centre)","taille":\#(options.taille)}"#)
            guard reponse.statut == 201 else { throw L.Erreur("lots: \(reponse.statut) \(String(buffer: reponse.corps))") }
        }
        var copiesParLot: [String: [String]] = [:]
        let rows = try await admin.query(SQL.query(
            "SELECT lot::text, numero FROM \"evaluation\".copies WHERE session = $1 ORDER BY lot, numero", session))
        for try await (lot, numero) in rows.decode((String, String).self) { copiesParLot[lot, default: []].append(numero) }
        L.log("\(copiesParLot.count) lots; creating \(copiesParLot.count) grader accounts and sessions")
        var lots: [(id: String, sujet: String, jeton: String, copies: [String])] = []
        var affectations: [String] = []
        for (lot, copies) in copiesParLot {
            let correcteur = try await compte(admin, role: "correcteur", scopes: ["lot:\(lot)"], secret: secret)
            lots.append((lot, correcteur.id, correcteur.jeton, copies))
            affectations.append(#"{"lot":"\#(lot)","sujet":"\#(correcteur.id)","nom":"Correcteur \#(lots.count)"}"#)
        }
        for debut in stride(from: 0, to: affectations.count, by: 5_000) {
            let tranche = affectations[debut..<min(debut + 5_000, affectations.count)]
            let reponse = try await HTTPAppel.appel(client, .POST, "\(api)/sessions/\(session)/affectations", jeton: gestionnaire.jeton,
                                            json: #"{"affectations":[\#(tranche.joined(separator: ","))]}"#)
            guard reponse.statut == 200 else { throw L.Erreur("affectations: \(reponse.statut) \(String(buffer: reponse.corps))") }
        }
        for u in 0..<options.unites {
            let reponse = try await HTTPAppel.appel(client, .POST, "\(api)/sessions/\(session)/unites/U\(u + 1)0/ouverture", jeton: gestionnaire.jeton, json: nil)
            guard reponse.statut == 200 else { throw L.Erreur("ouverture: \(reponse.statut)") }
        }
        return Self(session: session, gestionnaire: gestionnaire.jeton, lots: lots.shuffled())
    }

    /// An active account of the gateway with an open session: the row `SessionTokens.open`
    /// writes and the HS256 token it signs (same claims, same issuer, same secret).
    static func compte(_ admin: Database, role: String, scopes: [String], secret: String) async throws -> (id: String, jeton: String) {
        let id = UUID(), jti = UUID()
        let maintenant = Int(Date().timeIntervalSince1970), expire = maintenant + 8 * 3600
        try await admin.query(SQL.query(
            """
            WITH compte AS (
                INSERT INTO "gateway".accounts (id, login, display_name, role, scopes, state, created_by)
                VALUES ($1, $2, $3, $4, $5, 'actif', 'cyclades-load') RETURNING id
            ) INSERT INTO "gateway".user_sessions (jti, account_id, expires_at, user_agent)
              SELECT $6, id, to_timestamp($7), 'cyclades-load' FROM compte
            """, id, "charge-\(id.uuidString.lowercased())@load.test", "Charge \(role)", role, scopes, jti, Double(expire)))
        func base64url(_ data: some DataProtocol) -> String {
            Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let entete = base64url(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let charge = base64url(Data(#"{"exp":\#(expire),"iat":\#(maintenant),"iss":"cyclades-gateway-session","jti":"\#(jti.uuidString.lowercased())","sub":"\#(id.uuidString.lowercased())"}"#.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data("\(entete).\(charge)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return (id.uuidString.lowercased(), "\(entete).\(charge).\(base64url(Data(signature)))")
    }
}

extension EvaluationLoad {
    // MARK: Measure

    static func mesurer(_ mode: String, _ options: Options, _ banc: Banc, client: HTTPClient, admin: Database) async throws -> String {
        let api = "\(options.gateway)/api/v1/evaluation"
        // Every command: (lot index, its lines).
        var travaux: [(Int, [(String, String)])] = []
        for (index, lot) in banc.lots.enumerated() {
            let lignes = lot.copies.enumerated().map { ($1, String(format: "%d,%02d", ($0 * 7) % 20, ($0 % 4) * 25)) }
            if mode == "lot" { travaux.append((index, lignes)) } else { travaux += lignes.map { (index, [$0]) } }
        }
        if mode == "unitaire" { travaux.shuffle() }
        let total = travaux.reduce(0) { $0 + $1.1.count }
        log("\(mode): \(travaux.count) commands, \(total) grades, \(options.concurrence) graders at once")
        let partage = Partage(travaux[...])
        let avant = Processus.releve(stack: options.stack)
        let debut = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<options.concurrence {
                group.addTask {
                    var locales: [Double] = []
                    while let (index, lignes) = partage.file.withLock({ $0.popFirst() }) {
                        let lot = banc.lots[index]
                        let json = #"{"notes":["# + lignes.map { #"{"copie":"\#($0.0)","note":"\#($0.1)"}"# }.joined(separator: ",") + "]}"
                        let t0 = ContinuousClock.now
                        let reponse = try? await HTTPAppel.appel(client, .POST, "\(api)/lots/\(lot.id)/notes?attendre=\(options.attendre)", jeton: lot.jeton, json: json)
                        let duree = ContinuousClock.now - t0
                        if reponse?.statut == 200 {
                            locales.append(Double(duree.components.seconds) * 1000 + Double(duree.components.attoseconds) / 1e15)
                        } else {
                            partage.erreurs.add(1, ordering: .relaxed)
                            partage.premiereErreur.withLock { $0 = $0 ?? "\(reponse?.statut ?? 0) \(reponse.map { String(buffer: $0.corps) } ?? "no answer")" }
                        }
                    }
                    partage.latences.withLock { $0 += locales }
                }
            }
            try await group.waitForAll()
        }
        let duree = ContinuousClock.now - debut
        let secondes = Double(duree.components.seconds) + Double(duree.components.attoseconds) / 1e18
        let apres = Processus.ecart(avant, Processus.releve(stack: options.stack))
        if let premiere = partage.premiereErreur.withLock({ $0 }) { log("first error: \(premiere)") }
        // Verify: every grade stored.
        let rows = try await admin.query(SQL.query(
            "SELECT count(*)::int8 FROM \"evaluation\".notes n JOIN \"evaluation\".lots l ON l.id = n.lot WHERE l.session = $1", banc.session))
        var stockees: Int64 = 0
        for try await n in rows.decode(Int64.self) { stockees = n }
        log("\(mode): \(stockees) grades stored for \(total) submitted")
        let triees = partage.latences.withLock { $0.sorted() }
        func centile(_ p: Double) -> Double { triees.isEmpty ? 0 : triees[min(triees.count - 1, Int(Double(triees.count) * p))] }
        let parDixMille = 10_000 / Double(max(total, 1))
        let cpu = ["gateway", "api", "worker", "postgres", "rabbitmq", "load"].map { cle in
            String(format: "%.2f", apres[cle, default: 0] * parDixMille)
        }.joined(separator: " · ")
        let plafond = try await copier(banc, admin: admin, lignes: total)
        let debit = Double(total - partage.erreurs.load(ordering: .relaxed)) / secondes
        return String(format: "| %@ | %@ | %d | %.1f | %.0f | %.0f | %.0f | %d | %@ | %.0f | %.3f |",
                      options.etiquette, mode, Int(stockees), secondes, debit, centile(0.5), centile(0.99),
                      partage.erreurs.load(ordering: .relaxed), cpu, plafond, debit / plafond)
    }

    /// What the concurrent graders share.
    final class Partage: Sendable {
        let file: Mutex<ArraySlice<(Int, [(String, String)])>>
        let latences = Mutex<[Double]>([])
        let erreurs = Atomic<Int>(0)
        let premiereErreur = Mutex<String?>(nil)
        init(_ travaux: ArraySlice<(Int, [(String, String)])>) { file = Mutex(travaux) }
    }

    /// The same number of rows COPYed straight into a table shaped like `evaluation.notes`
    /// (text format, one COPY, in one connection): what PostgreSQL alone can take.
    static func copier(_ banc: Banc, admin: Database, lignes: Int) async throws -> Double {
        let table = "plafond_notes_\(UInt32.random(in: 0...UInt32.max))"
        try await admin.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE public.\(table) (lot uuid NOT NULL, numero text NOT NULL, note text NOT NULL, revision bigint NOT NULL,
                commande uuid NOT NULL, par text NOT NULL, source text NOT NULL, modifie_le timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (lot, numero))
            """))
        var tampons: [ByteBuffer] = []
        var tampon = ByteBuffer()
        var n = 0
        let commande = UUID().uuidString.lowercased()
        outer: for lot in banc.lots {
            for copie in lot.copies {
                tampon.writeString("\(lot.id)\t\(copie)\t12.50\t\(n + 1)\t\(commande)\tcorrecteur\tportail\n")
                n += 1
                if tampon.readableBytes > 1 << 20 { tampons.append(tampon); tampon = ByteBuffer() }
                if n == lignes { break outer }
            }
        }
        tampons.append(tampon)
        let debut = ContinuousClock.now
        try await admin.client.withConnection { connexion in
            try await connexion.copyFrom(table: table, columns: ["lot", "numero", "note", "revision", "commande", "par", "source"],
                                         logger: admin.logger) { writer in
                for tampon in tampons { try await writer.write(tampon) }
            }
        }
        let duree = ContinuousClock.now - debut
        try await admin.query(PostgresQuery(unsafeSQL: "DROP TABLE public.\(table)"))
        return Double(n) / (Double(duree.components.seconds) + Double(duree.components.attoseconds) / 1e18)
    }
}

/// CPU seconds (user + system) of the processes of the system, by role, from /proc.
enum Processus {
    /// Each process's CPU seconds by role and pid.
    typealias Releve = [String: [Int32: Double]]

    /// The CPU each role used between two readings, process by process: a process gone by the
    /// second reading (a backend of workers stopped just before) is left out rather than counted
    /// negative; one started meanwhile counts whole.
    static func ecart(_ avant: Releve, _ apres: Releve) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: apres.map { role, processus in
            (role, processus.reduce(0) { total, p in total + p.value - (avant[role]?[p.key] ?? 0) })
        })
    }

    /// Only this stack's processes: services whose environment names the stack directory, the
    /// PostgreSQL server of its data directory and its backends, its RabbitMQ node.
    static func releve(stack: String) -> Releve {
        var totaux: Releve = [:]
        let postmaster = (try? String(contentsOfFile: "\(stack)/pg/data/postmaster.pid", encoding: .utf8))
            .flatMap { $0.split(separator: "\n").first }.flatMap { Int32($0) } ?? -1
        let marque = "CYCLADES_STACK_DIR=\(stack)"
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        let moi = getpid()
        for pid in pids {
            guard let n = Int32(pid),
                  let cmdline = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let fin = stat.lastIndex(of: ")")
            else { continue }
            let champs = stat[stat.index(after: fin)...].split(separator: " ")
            guard champs.count > 12, let u = Double(champs[11]), let s = Double(champs[12]), let ppid = Int32(champs[1]) else { continue }
            let args = cmdline.split(separator: "\0").map(String.init)
            func deLaPile() -> Bool {
                (try? String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8))?.split(separator: "\0").contains { $0 == marque } == true
            }
            let cle: String?
            if n == moi { cle = "load" }
            else if n == postmaster || ppid == postmaster { cle = "postgres" }
            else if args.first?.contains("beam") == true && cmdline.contains("\(stack)/rabbitmq") && cmdline.contains("rabbit") { cle = "rabbitmq" }
            else if args.first?.hasSuffix("cyclades-gateway") == true, deLaPile() { cle = "gateway" }
            else if args.first?.hasSuffix("cyclades-evaluation") == true, deLaPile() { cle = args.contains("worker") ? "worker" : "api" }
            else { cle = nil }
            if let cle { totaux[cle, default: [:]][n] = (u + s) / tick }
        }
        return totaux
    }
}
