/// Wakes a polling loop early: `ring()` from anywhere, `wait(timeout:)` in the loop.
/// A ring while nobody waits is remembered once.
actor Doorbell {
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    func ring() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            rung = true
        }
    }

    /// Returns when rung, after `timeout`, or when the task is cancelled.
    func wait(timeout: Duration) async {
        if rung {
            rung = false
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.park() }
            group.addTask {
                // Rings on timeout and on cancellation alike, so `park` always returns.
                try? await Task.sleep(for: timeout)
                await self.ring()
            }
            await group.next()
            group.cancelAll()
        }
        rung = false
    }

    /// Returns at the next ring — at once if one came since `wait` started (the timeout's ring
    /// may run before this task does, e.g. when the waiting task is already cancelled).
    private func park() async {
        if rung {
            rung = false
            return
        }
        await withCheckedContinuation { waiter = $0 }
    }
}
