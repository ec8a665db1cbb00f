import Foundation
import Synchronization
import Testing
@testable import Evaluation

@Suite("The API's copies of lots: kept until a change is announced, never kept across one")
struct LotCacheTests {
    static func etat(_ id: UUID, ouvert: Bool) -> LotEtat {
        LotEtat(id: id, session: "BP-2027-06-N", unite: "U10", nature: "ecrit", centre: "0750655E", pas: 25,
                ouvert: ouvert, verrouille: false, collecteOuverte: true, correcteurs: ["c1"], copies: ["A1"])
    }

    @Test("a copy is served until its lot is forgotten, then read again")
    func oubli() async throws {
        let cache = LotCache()
        let id = UUID()
        let lectures = Atomic<Int>(0)
        func lire(_ ouvert: Bool) async throws -> LotEtat? {
            try await cache.lot(id) {
                lectures.add(1, ordering: .relaxed)
                return Self.etat(id, ouvert: ouvert)
            }
        }
        #expect(try await lire(true)?.ouvert == true)
        #expect(try await lire(false)?.ouvert == true, "served from the copy")
        #expect(lectures.load(ordering: .relaxed) == 1)
        cache.oublier(id)
        #expect(try await lire(false)?.ouvert == false)
        cache.toutOublier()
        #expect(try await lire(true)?.ouvert == true)
        #expect(lectures.load(ordering: .relaxed) == 3)
    }

    @Test("a copy read while a change is announced is not kept")
    func lectureConcurrente() async throws {
        let cache = LotCache()
        let id = UUID()
        // The change of this very lot is announced while its (old) state is being read.
        let ancien = try await cache.lot(id) {
            cache.oublier(id)
            return Self.etat(id, ouvert: true)
        }
        #expect(ancien?.ouvert == true)
        let suivant = try await cache.lot(id) { Self.etat(id, ouvert: false) }
        #expect(suivant?.ouvert == false, "the old state was not kept")
    }
}
