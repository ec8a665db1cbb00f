import Foundation

/// A serial executor that runs every job on one dedicated OS thread.
///
/// rabbitmq-c is blocking and its connection state is not thread safe, so each connection is an
/// actor whose jobs all run here: the blocking C calls never occupy a thread of Swift's
/// cooperative pool, and the state is only ever touched from this one thread.
///
/// The thread also runs a periodic *tick* between jobs (see `startTicking`): rabbitmq-c sends
/// heartbeats only when the application calls it, and an application starved of CPU (every test
/// suite at once on two cores, a throttled container) may not call for longer than the broker's
/// heartbeat timeout. The kernel schedules this thread whatever Swift's cooperative pool is
/// doing, so heartbeats no longer depend on the application's pace.
final class ConnectionThread: SerialExecutor, @unchecked Sendable {
    // `jobs`, `stopped`, `tick` and `tickInterval` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    private var tick: (@Sendable () -> Void)?
    private var tickInterval: TimeInterval = 0

    init(name: String) {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Runs `tick` on this thread every `interval`, between jobs (never during one), until
    /// replaced or stopped with `stopTicking`.
    func startTicking(every interval: TimeInterval, _ tick: @escaping @Sendable () -> Void) {
        condition.lock()
        self.tick = tick
        tickInterval = max(0.05, interval)
        condition.signal()
        condition.unlock()
    }

    func stopTicking() {
        condition.lock()
        tick = nil
        condition.unlock()
    }

    /// Lets the thread finish the jobs already queued, then exit.
    func shutdown() {
        condition.lock()
        stopped = true
        tick = nil
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        var nextTick = Date.distantFuture
        while true {
            condition.lock()
            var due: (@Sendable () -> Void)?
            while jobs.isEmpty && !stopped {
                guard tick != nil else {
                    nextTick = .distantFuture
                    condition.wait()
                    continue
                }
                if nextTick == .distantFuture { nextTick = Date(timeIntervalSinceNow: tickInterval) }
                if Date() >= nextTick || !condition.wait(until: nextTick) { break }
            }
            if jobs.isEmpty && stopped { condition.unlock(); return }
            if let tick, Date() >= nextTick {
                due = tick
                nextTick = Date(timeIntervalSinceNow: tickInterval)
            }
            swap(&batch, &jobs)
            condition.unlock()
            // Ticks also run while the thread is busy: a stream of jobs that never write to the
            // socket must not starve the heartbeats either.
            due?()
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
