import Foundation
import Synchronization

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
