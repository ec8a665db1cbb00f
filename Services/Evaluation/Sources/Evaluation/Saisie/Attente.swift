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
/// which the API drops its cached copy of the lot (`LotRepository`'s `LotCache`).
final class Attente: Service, Sendable {
    enum Etat {
        case inscrit
        case parque(CheckedContinuation<ResultatCommande?, Never>)
        case arrive(ResultatCommande)
    }

    private let lots: LotRepository
    private let logger: Logger
    private let etats = Mutex<[UUID: Etat]>([:])
    private var database: Database { lots.database }

    /// `lots`: whose copies of lots a lot-change announcement drops.
    init(lots: LotRepository, logger: Logger) {
        self.lots = lots
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
            while !Task.isCancelled {
                do {
                    try await self.database.client.withConnection { connection in
                        try await connection.listen(on: AnnoncesSaisies.canal(self.database)) { notifications in
                            self.logger.debug("listening for command outcomes")
                            // Lot changes announced while nobody listened are lost: forget every
                            // cached lot once listening, so none outlives a missed notification.
                            self.lots.oublierTout()
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
                lots.oublier(id)
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
}
