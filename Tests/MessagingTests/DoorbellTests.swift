import Testing

@testable import Messaging

/// The relay's wake-up: it must never leave a waiter parked, whatever the order of ring,
/// timeout and cancellation (a parked waiter hung a relay's shutdown).
@Suite("Doorbell")
struct DoorbellTests {
    /// Whether `operation` finished within `limit`.
    func finishes(within limit: Duration, _ operation: @escaping @Sendable () async -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await operation(); return true }
            group.addTask { try? await Task.sleep(for: limit); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test("a cancelled wait returns, however early the cancellation comes")
    func cancelledWaitReturns() async {
        let finished = await finishes(within: .seconds(20)) {
            for _ in 0..<300 {
                let bell = Doorbell()
                let task = Task { await bell.wait(timeout: .seconds(3600)) }
                task.cancel()
                await task.value
            }
        }
        #expect(finished)
    }

    @Test("a ring before the wait is kept once; the next wait times out")
    func ringBeforeWait() async {
        let bell = Doorbell()
        await bell.ring()
        let start = ContinuousClock.now
        await bell.wait(timeout: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(20), "woken, not timed out (30 s)")
        let second = ContinuousClock.now
        await bell.wait(timeout: .milliseconds(200))
        #expect(ContinuousClock.now - second >= .milliseconds(150))
    }

    @Test("a ring wakes a waiter long before its timeout")
    func ringWakesWaiter() async {
        let bell = Doorbell()
        let start = ContinuousClock.now
        async let waited: Void = bell.wait(timeout: .seconds(30))
        try? await Task.sleep(for: .milliseconds(100))
        await bell.ring()
        await waited
        #expect(ContinuousClock.now - start < .seconds(20), "woken, not timed out (30 s)")
    }
}
