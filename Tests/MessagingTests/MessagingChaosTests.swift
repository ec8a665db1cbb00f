import AMQP
import Foundation
import Messaging
import Storage
import Testing
import TestSupport

/// Processes killed and the broker restarted while messages flow. Run apart from the other
/// suites (`deploy/local/test` runs `--filter Chaos` after the rest) because stopping the shared
/// broker would break the tests running beside them.
@Suite("Messaging under crashes and broker restarts", .serialized)
struct MessagingChaosTests {
    @Test("10,000 events handled exactly once by effect while the consumer process is SIGKILLed twice")
    func consumerKilledTwice() async throws {
        try await MessagingFixture.with { fixture in
            let total = 10_000
            try await fixture.writeEvents(0..<total, perTransaction: 500)
            try await fixture.running([fixture.makeRelay()]) {
                var consumer = try fixture.probe("consume")
                for threshold in [2_000, 6_000] {
                    try await expectEventually(timeout: .seconds(120), every: .milliseconds(20)) {
                        try await fixture.effects().rows >= threshold
                    }
                    consumer.kill()
                    consumer = try fixture.probe("consume")
                }
                let done = try await TestStack.eventually(timeout: .seconds(180)) {
                    try await fixture.effects().rows >= total
                }
                #expect(done)
                try await Task.sleep(for: .seconds(1))  // room for a late duplicate to show
                consumer.stop()
                #expect(consumer.terminationStatus == 0, "SIGTERM ends the probe gracefully")
            }
            let effects = try await fixture.effects()
            #expect(effects.rows == total)
            #expect(effects.distinct == total)
            #expect(try await fixture.database.count("inbox") == total)
            #expect(try await fixture.messageCount(fixture.queue) == 0)
        }
    }

    @Test("the relay process SIGKILLed mid-stream: nothing lost, duplicates absorbed")
    func relayKilledMidStream() async throws {
        try await MessagingFixture.with { fixture in
            let total = 6_000
            try await fixture.writeEvents(0..<total, perTransaction: 200)
            try await fixture.running([fixture.makeConsumer()]) {
                var relay = try fixture.probe("relay")
                for _ in 0..<2 {
                    try await expectEventually(timeout: .seconds(60), every: .milliseconds(10)) {
                        try await fixture.unsent() < total - 1_000
                    }
                    relay.kill()
                    relay = try fixture.probe("relay")
                }
                try await expectEventually(timeout: .seconds(120)) { try await fixture.effects().rows >= total }
                relay.stop()
            }
            let effects = try await fixture.effects()
            #expect(effects.rows == total)
            #expect(effects.distinct == total)
            #expect(try await fixture.unsent() == 0)
        }
    }

    @Test(
        "a message that crashes its consumer is dead-lettered after its attempts; its neighbours go through",
        arguments: ["consume", "consume-batch"])
    func crashingMessageIsDeadLettered(role: String) async throws {
        // `consume-batch`: handled by a batch handler, as a work queue's commands are (grade entry).
        try await MessagingFixture.with { fixture in
            try await fixture.writeEvents(0..<100, crash: [42])
            try await fixture.running([fixture.makeRelay()]) {
                // A supervisor's job: restart the consumer whenever it dies.
                var consumer = try fixture.probe(role)
                var restarts = 0
                let deadline = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < deadline {
                    let deadLetters = try await fixture.deadLetters.count()
                    let handled = try await fixture.effects().rows
                    if deadLetters == 1 && handled == 99 { break }
                    if !consumer.isRunning {
                        restarts += 1
                        consumer = try fixture.probe(role)
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                consumer.stop()
                #expect(restarts >= 1)
                #expect(restarts <= 4, "three attempts, then the culprit is refused")
            }
            #expect(try await fixture.deadLetters.count() == 1)
            #expect(try await fixture.effects().rows == 99)
            #expect(try await fixture.database.count("effects", where: "seq = 42") == 0)
        }
    }

    @Test("a message held on a transient database failure is not charged for the kills meanwhile")
    func heldMessageIsNotChargedForKills() async throws {
        // Seen in the evaluation chaos run: an innocent grade command, held while PostgreSQL
        // restarted, was charged one attempt per worker SIGKILLed meanwhile and dead-lettered.
        try await MessagingFixture.with { fixture in
            try await fixture.writeEvents(0..<1, hold: [0])
            try await fixture.running([fixture.makeRelay()]) {
                var consumer = try fixture.probe("consume")
                // A failed expectation must not leave a process holding the message (it would not
                // stop on SIGTERM while it holds it): SIGKILL whatever runs at the end.
                defer { if consumer.isRunning { consumer.kill() } }
                // Five kills (more than the three attempts allowed), each of a process seen
                // holding the message. A kill may still land in the milliseconds between a try's
                // count and its refund (that one is charged, rightly); only four such kills
                // out of five would dead-letter it. Without the refund every kill is charged, and
                // the fifth process dead-letters the message instead of holding it.
                for kill in 1...5 {
                    let seen = try await fixture.holdsSeen()
                    let holding = try await TestStack.eventually(timeout: .seconds(60)) {
                        try await fixture.holdsSeen() > seen
                    }
                    try #require(holding, "kill \(kill): the consumer holds the message")
                    consumer.kill()
                    consumer = try fixture.probe("consume")
                }
                try await fixture.releaseHolds()
                let handled = try await TestStack.eventually(timeout: .seconds(60)) {
                    try await fixture.effects().rows == 1
                }
                #expect(handled, "handled once the failure ended")
            }
            #expect(try await fixture.deadLetters.count() == 0)
            #expect(try await fixture.effects().rows == 1)
        }
    }

    @Test("RabbitMQ stopped and started while publishing and consuming: nothing lost, no manual step")
    func brokerRestart() async throws {
        try await MessagingFixture.with { fixture in
            let total = 3_000
            try await fixture.running([fixture.makeRelay(), fixture.makeConsumer()]) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await fixture.writeEvents(0..<total, perTransaction: 50, pause: .milliseconds(150))
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(3))
                        try await TestStack.stack("rabbitmq", "stop")
                        try await Task.sleep(for: .seconds(2))
                        try await TestStack.stack("rabbitmq", "start")
                    }
                    try await group.waitForAll()
                }
                try await expectEventually(timeout: .seconds(120)) { try await fixture.effects().rows >= total }
            }
            let effects = try await fixture.effects()
            #expect(effects.rows == total)
            #expect(effects.distinct == total)
            #expect(try await fixture.unsent() == 0)
        }
    }
}
