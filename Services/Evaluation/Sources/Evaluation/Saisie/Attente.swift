import AMQP
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization

/// Request/reply between the API and the workers over PostgreSQL `LISTEN/NOTIFY`.
///
/// A worker's transaction ends with `pg_notify('<schema>_saisies', …)` naming each command it
/// handled and its outcome; PostgreSQL delivers it at commit, so "enregistré" is said exactly
/// when the grade is durable, never before. Each API process listens on one connection and wakes
/// the requests waiting for those commands (correlation = the command id). A request that times
/// out (or whose notification was missed while the listener reconnected) reads the `commandes`
/// table, which is the truth; the notification is only the doorbell. Nothing goes back through
/// the broker: replies cost it nothing and no reply queue has to survive its restarts.
///
/// The same channel carries lot changes (`l <id>`: opened, closed, locked, graders changed), on
/// which the API drops its cached copy of the lot (`LotCache`).
final class Attente: Service, Sendable {
    enum Etat {
        case inscrit
        case parque(CheckedContinuation<ResultatCommande?, Never>)
        case arrive(ResultatCommande)
    }

    private let database: Database
    private let cache: LotCache
    private let logger: Logger
    private let etats = Mutex<[UUID: Etat]>([:])

    init(database: Database, cache: LotCache, logger: Logger) {
        self.database = database
        self.cache = cache
        self.logger = logger
    }

    static func canal(_ database: Database) -> String { "\(database.schema)_saisies" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
            while !Task.isCancelled {
                do {
                    try await self.database.client.withConnection { connection in
                        try await connection.listen(on: Self.canal(self.database)) { notifications in
                            self.logger.debug("listening for command outcomes")
                            // Lot changes announced while nobody listened are lost: forget every
                            // cached lot once listening, so none outlives a missed notification.
                            self.cache.toutOublier()
                            for try await notification in notifications { self.recevoir(notification.payload) }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    self.logger.warning("command listener interrupted", metadata: ["error": "\(String(reflecting: error))"])
                    try? await backoff.sleep()
                }
            }
        }
        // Whoever still waits gets "not yet" and reads the table.
        let parques = etats.withLock { etats in
            defer { etats.removeAll() }
            return etats.values.compactMap { if case .parque(let c) = $0 { c } else { nil } }
        }
        for continuation in parques { continuation.resume(returning: nil) }
    }

    /// Payload: `;`-separated items, `c <id> <E|R> <appliquées> <ignorées>` or `l <lot id>`.
    func recevoir(_ payload: String) {
        for item in payload.split(separator: ";") {
            let champs = item.split(separator: " ")
            if champs.first == "l", champs.count == 2, let id = UUID(uuidString: String(champs[1])) {
                cache.oublier(id)
                continue
            }
            guard champs.first == "c", champs.count == 5, let id = UUID(uuidString: String(champs[1])),
                  let appliquees = Int(champs[3]), let ignorees = Int(champs[4])
            else { continue }
            let resultat = ResultatCommande(
                commande: id, statut: champs[2] == "E" ? "enregistree" : "refusee", appliquees: appliquees, ignorees: ignorees)
            let reveil: CheckedContinuation<ResultatCommande?, Never>? = etats.withLock { etats in
                switch etats[id] {
                case .inscrit: etats[id] = .arrive(resultat); return nil
                case .parque(let continuation): etats[id] = nil; return continuation
                default: return nil  // nobody here waits for it
                }
            }
            reveil?.resume(returning: resultat)
        }
    }

    /// Runs `envoi` (the publication of command `id`) and waits up to `delai` for its outcome;
    /// nil when it did not come in time. Registered before `envoi`, so a fast worker is never missed.
    func attendre(_ id: UUID, delai: Duration, apres envoi: () async throws -> Void) async throws -> ResultatCommande? {
        etats.withLock { $0[id] = .inscrit }
        do {
            try await envoi()
        } catch {
            _ = etats.withLock { $0.removeValue(forKey: id) }
            throw error
        }
        return await withTaskGroup(of: ResultatCommande?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let deja: ResultatCommande?? = self.etats.withLock { etats in
                        switch etats[id] {
                        case .arrive(let resultat): etats[id] = nil; return .some(resultat)
                        case .inscrit: etats[id] = .parque(continuation); return .none
                        default: return .some(nil)  // expired or shut down already
                        }
                    }
                    if let deja { continuation.resume(returning: deja) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: delai)
                self.expirer(id)
                return nil
            }
            let premier = await group.next() ?? nil
            group.cancelAll()
            if let premier { return premier }
            // The timer came first: the waiter has been resumed with nil (or gets its result).
            return await group.next() ?? nil
        }
    }

    private func expirer(_ id: UUID) {
        let reveil: CheckedContinuation<ResultatCommande?, Never>? = etats.withLock { etats in
            defer { etats[id] = nil }
            if case .parque(let continuation) = etats[id] { return continuation }
            return nil
        }
        reveil?.resume(returning: nil)
    }

    // MARK: Sending (workers, lot changes)

    /// Announces outcomes inside the caller's transaction (delivered at its commit). A payload
    /// holds at most ~7,900 bytes: the list is cut into several notifications.
    static func annoncer(_ resultats: [ResultatCommande], lots: [UUID] = [], on connection: PostgresConnection, database: Database) async throws {
        var items = resultats.map { r in
            "c \(r.commande.uuidString) \(r.statut == "enregistree" ? "E" : "R") \(r.appliquees) \(r.ignorees)"
        }
        items += lots.map { "l \($0.uuidString)" }
        var payloads: [String] = []
        var courant = ""
        for item in items {
            if courant.utf8.count + item.utf8.count + 1 > 7_900 {
                payloads.append(courant)
                courant = ""
            }
            courant += courant.isEmpty ? item : ";" + item
        }
        if !courant.isEmpty { payloads.append(courant) }
        guard !payloads.isEmpty else { return }
        try await connection.query(SQL.query(
            "SELECT pg_notify($1, p) FROM UNNEST($2::text[]) AS p", canal(database), payloads), logger: database.logger)
    }

    /// Tells every API process that these lots changed (outside any transaction).
    static func signalerLots(_ lots: [UUID], database: Database) async throws {
        guard !lots.isEmpty else { return }
        try await database.client.withConnection { connection in
            try await annoncer([], lots: lots, on: connection, database: database)
        }
    }
}

/// The API's copies of lots (state, graders, copies) that commands are checked against: dropped
/// as soon as a lot-change notification comes (opened, closed, locked, graders changed), all of
/// them whenever the listener (re)connects, and at most `duree` old in any case. A copy read while
/// a change was being announced is not kept (the generation moved meanwhile). A stale state or
/// copy list can only let through a command the worker then refuses (it re-reads the lot under
/// lock); a grader's removal relies on the notification, which arrives within milliseconds.
///
/// A grader saves a grade of his lot every few seconds to minutes: a 5-second life made nearly
/// every one-grade command read its lot again (measured: one lot query per request); the
/// notifications, not the clock, are what keep the copies right.
final class LotCache: Sendable {
    private struct Entrees {
        var lots: [UUID: (etat: LotEtat, expire: ContinuousClock.Instant)] = [:]
        /// Moves at every change announced: a copy read across a change is not kept.
        var generation = 0
    }
    private let entrees = Mutex(Entrees())
    let duree: Duration

    init(duree: Duration = .seconds(120)) { self.duree = duree }

    func lot(_ id: UUID, charger: () async throws -> LotEtat?) async throws -> LotEtat? {
        let maintenant = ContinuousClock.now
        let (entree, generation) = entrees.withLock { ($0.lots[id], $0.generation) }
        if let entree, entree.expire > maintenant { return entree.etat }
        guard let etat = try await charger() else { return nil }
        entrees.withLock { entrees in
            guard entrees.generation == generation else { return }
            if entrees.lots.count > 50_000 { entrees.lots.removeAll() }
            entrees.lots[id] = (etat, maintenant + duree)
        }
        return etat
    }

    func oublier(_ id: UUID) {
        entrees.withLock { entrees in
            entrees.lots[id] = nil
            entrees.generation += 1
        }
    }

    func toutOublier() {
        entrees.withLock { entrees in
            entrees.lots.removeAll()
            entrees.generation += 1
        }
    }
}
