import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `cyclades-load inscription`: registers candidatures through the gateway's public API, as many
/// établissement clerks at once would (create, then validate: two calls per candidature), and
/// reports candidatures/s, call latencies and the CPU the services used. Run it through
/// `Tests/Load/run-inscription`, which starts the whole system on the `bench` stack.
enum InscriptionLoad {
    struct Options {
        var gateway = "http://127.0.0.1:61100"
        var identifiant = "demo.gestionnaire"
        var motDePasse = ProcessInfo.processInfo.environment["CYCLADES_LOAD_PASSWORD"] ?? ""
        var session = "BP-2027-06-N"
        var uai = "0750655E"
        var candidatures = 50_000
        var concurrence = 32
        /// `name=pid,...`: processes whose CPU time is reported.
        var processus: [(String, Int32)] = []

        static let usage = """
            usage: cyclades-load inscription [--gateway URL] [--identifiant LOGIN] (password: $CYCLADES_LOAD_PASSWORD)
                     [--session CODE] [--uai UAI] [--candidatures N] [--concurrence C] [--processus name=pid,...]
            """

        init(_ arguments: [String]) throws {
            var i = 0
            func valeur() throws -> String {
                i += 1
                guard i < arguments.count else { throw LoadError("\(arguments[i - 1]) needs a value\n\(Self.usage)") }
                return arguments[i]
            }
            while i < arguments.count {
                switch arguments[i] {
                case "--gateway": gateway = try valeur()
                case "--identifiant": identifiant = try valeur()
                case "--session": session = try valeur()
                case "--uai": uai = try valeur()
                case "--candidatures": candidatures = Int(try valeur()) ?? candidatures
                case "--concurrence": concurrence = Int(try valeur()) ?? concurrence
                case "--processus":
                    processus = try valeur().split(separator: ",").compactMap { paire in
                        let parties = paire.split(separator: "=")
                        guard parties.count == 2, let pid = Int32(parties[1]) else { return nil }
                        return (String(parties[0]), pid)
                    }
                default: throw LoadError("unknown option \(arguments[i])\n\(Self.usage)")
                }
                i += 1
            }
        }
    }

    struct LoadError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func run(_ arguments: [String]) async throws {
        let options = try Options(arguments)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: options.concurrence)))
        do {
            try await mesurer(options, client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func mesurer(_ options: Options, _ client: HTTPClient) async throws {
        let api = "\(options.gateway)/api/v1"
        let connexion = try await HTTPAppel.appel(client, .POST, "\(api)/auth/connexion", jeton: nil,
                                        json: #"{"identifiant":"\#(options.identifiant)","motDePasse":"\#(options.motDePasse)"}"#)
        struct Jeton: Decodable { var jeton: String }
        guard connexion.statut == 200 else { throw LoadError("login refused (\(connexion.statut)): \(String(buffer: connexion.corps))") }
        let jeton = try JSONDecoder().decode(Jeton.self, from: connexion.corps).jeton

        // Unique INEs per run: 9 digits (a run prefix + the index) + 2 letters.
        let prefixe = Int.random(in: 100...999)
        let cpuAvant = options.processus.map { ($0.0, CPUTime.process($0.1) ?? 0) }
        let debut = ContinuousClock.now
        let compteur = Compteur()
        let latences = try await withThrowingTaskGroup(of: [Duration].self) { groupe in
            for travailleur in 0..<options.concurrence {
                groupe.addTask {
                    var latences: [Duration] = []
                    var index = travailleur
                    while index < options.candidatures {
                        let ine = String(format: "%03d%06d", prefixe, index) + "LD"
                        let corps = #"{"candidat":{"ine":"\#(ine)","nomFamille":"Charge\#(index)","prenoms":"Essai\#(prefixe)","sexe":"\#(index % 2 == 0 ? "F" : "M")","dateNaissance":"2005-03-14","communeNaissance":"Paris","adresse":"1 rue de la Charge","codePostal":"75013","commune":"Paris"},"categorie":"apprenti","uai":"\#(options.uai)","specialite":"BOULANGER","options":[],"facultatives":[],"forme":"globale"}"#
                        let t0 = ContinuousClock.now
                        let creee = try await HTTPAppel.appel(client, .POST, "\(api)/inscription/sessions/\(options.session)/candidatures", jeton: jeton, json: corps)
                        guard creee.statut == 201 else { throw LoadError("creation answered \(creee.statut): \(String(buffer: creee.corps))") }
                        struct Id: Decodable { var id: UUID }
                        let id = try JSONDecoder().decode(Id.self, from: creee.corps).id
                        let t1 = ContinuousClock.now
                        let validee = try await HTTPAppel.appel(client, .POST, "\(api)/inscription/candidatures/\(id.uuidString.lowercased())/validation", jeton: jeton, json: nil)
                        guard validee.statut == 200 else { throw LoadError("validation answered \(validee.statut): \(String(buffer: validee.corps))") }
                        let t2 = ContinuousClock.now
                        latences.append(t1 - t0)
                        latences.append(t2 - t1)
                        index += options.concurrence
                        let fait = await compteur.ajouter()
                        if fait % 5000 == 0 { FileHandle.standardError.write(Data("  \(fait) candidatures\n".utf8)) }
                    }
                    return latences
                }
            }
            var toutes: [Duration] = []
            for try await partie in groupe { toutes += partie }
            return toutes.sorted()
        }
        let duree = ContinuousClock.now - debut
        let secondes = Double(duree.components.seconds) + Double(duree.components.attoseconds) / 1e18
        func ms(_ d: Duration) -> String { String(format: "%.1f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
        func centile(_ p: Double) -> Duration { latences[min(latences.count - 1, Int(Double(latences.count) * p))] }
        print("""
            ## Inscription through the gateway

            | measure | value |
            |---|---|
            | candidatures created and validated | \(options.candidatures) |
            | concurrent clients | \(options.concurrence) |
            | wall time | \(String(format: "%.1f", secondes)) s |
            | **candidatures/s** (create + validate) | **\(String(format: "%.0f", Double(options.candidatures) / secondes))** |
            | API calls/s | \(String(format: "%.0f", Double(latences.count) / secondes)) |
            | call latency p50 / p99 / max | \(ms(centile(0.5))) / \(ms(centile(0.99))) / \(ms(latences.last ?? .zero)) ms |
            """)
        for ((nom, avant), (_, pid)) in zip(cpuAvant, options.processus) {
            let apres = CPUTime.process(pid) ?? 0
            print("| CPU of \(nom) | \(String(format: "%.1f", apres - avant)) s (\(String(format: "%.2f", (apres - avant) / Double(options.candidatures) * 10_000)) s per 10,000 candidatures) |")
        }
    }

    actor Compteur {
        var valeur = 0
        func ajouter() -> Int {
            valeur += 1
            return valeur
        }
    }
}
