import AMQP
import Foundation
import Messaging
import PostgresNIO
import Storage
import Testing
import TestSupport

@Suite("Outbox and idempotent consumer")
struct OutboxTests {
    @Test("events written in a committed transaction are each handled exactly once")
    func committedEventsAreHandledOnce() async throws {
        try await MessagingFixture.with { fixture in
            try await fixture.writeEvents(0..<500, perTransaction: 50)
            try await fixture.running([fixture.makeRelay(), fixture.makeConsumer()]) {
                let done = try await fixture.eventually { try await fixture.effects().rows >= 500 }
                #expect(done)
            }
            let effects = try await fixture.effects()
            #expect(effects.rows == 500)
            #expect(effects.distinct == 500)
            #expect(try await fixture.unsent() == 0)
            #expect(try await fixture.database.count("inbox") == 500)
        }
    }

    @Test("a rolled-back transaction publishes nothing")
    func rolledBackTransactionPublishesNothing() async throws {
        struct Abandon: Error {}
        try await MessagingFixture.with { fixture in
            await #expect(throws: Abandon.self) {
                try await fixture.database.transaction { connection in
                    let entry = try fixture.outbox.entry(ProbeEvent(seq: 1), aggregate: "probe", exchange: fixture.exchange)
                    try await fixture.outbox.write([entry], on: connection, logger: fixture.logger)
                    throw Abandon()
                }
            }
            // A committed marker after it: once the marker is handled, the relay has passed the
            // place where the abandoned event would have been.
            try await fixture.writeEvents([2])
            try await fixture.running([fixture.makeRelay(), fixture.makeConsumer()]) {
                try await fixture.expectEventually { try await fixture.effects().rows == 1 }
            }
            #expect(try await fixture.database.count("outbox") == 1)
            #expect(try await fixture.database.count("effects", where: "seq = 1") == 0)
            #expect(try await fixture.messageCount(fixture.queue) == 0)
        }
    }

    @Test("a relay that published but did not mark sends again; the inbox absorbs the duplicates")
    func unmarkedBatchIsAbsorbedByTheInbox() async throws {
        try await MessagingFixture.with { fixture in
            try await fixture.writeEvents(0..<300)
            // What a relay killed after its confirms and before its UPDATE leaves behind: the
            // batch is on the broker and the rows are still unsent.
            let relay = fixture.makeRelay()
            let unsentBefore = try await fixture.unsent()
            try await relay.publishWithoutMarking()
            #expect(try await fixture.unsent() == unsentBefore)
            // The restarted relay publishes the same 300 again.
            try await fixture.running([fixture.makeRelay()]) {
                try await fixture.expectEventually { try await fixture.unsent() == 0 }
            }
            try await fixture.expectEventually { try await fixture.messageCount(fixture.queue) == 600 }
            try await fixture.running([fixture.makeConsumer()]) {
                try await fixture.expectEventually {
                    let waiting = try await fixture.messageCount(fixture.queue)
                    let handled = try await fixture.effects().rows
                    return waiting == 0 && handled == 300
                }
            }
            let effects = try await fixture.effects()
            #expect(effects.rows == 300)
            #expect(effects.distinct == 300)
        }
    }

    @Test("a poison message goes to the dead-letter queue, the others flow, replay brings it back",
          arguments: [false, true])
    func poisonMessageIsDeadLetteredAndReplayed(batch: Bool) async throws {
        // `batch`: a batch handler (a work queue's shape) fails for the whole batch; the consumer
        // isolates the culprit message by message.
        try await MessagingFixture.with { fixture in
            try await fixture.writeEvents(0..<200, poison: [57])
            try await fixture.running([fixture.makeRelay(), fixture.makeConsumer(batch: batch)]) {
                try await fixture.expectEventually { try await fixture.effects().rows == 199 }
                try await fixture.expectEventually { try await fixture.deadLetters.count() == 1 }
            }
            let letters = try await fixture.deadLetters.list()
            #expect(letters.count == 1)
            #expect(letters.first?.type == ProbeEvent.type)
            #expect(letters.first?.body.contains("\"seq\":57") == true)
            #expect(try await fixture.database.count("effects", where: "seq = 57") == 0)

            // The cause is fixed, the operator replays: the message is handled once.
            try await fixture.setPoison(active: false)
            #expect(try await fixture.deadLetters.replay(messageID: letters.first?.messageID) == 1)
            try await fixture.running([fixture.makeConsumer(batch: batch)]) {
                try await fixture.expectEventually { try await fixture.effects().rows == 200 }
            }
            #expect(try await fixture.deadLetters.count() == 0)
            #expect(try await fixture.database.count("effects", where: "seq = 57") == 1)
        }
    }

    @Test("an undecodable message and an unknown type are dead-lettered at once")
    func undecodableAndUnknownAreDeadLettered() async throws {
        try await MessagingFixture.with { fixture in
            let publisher = AMQPPublisher(configuration: fixture.amqp)
            try await publisher.publish([
                AMQPOutgoingMessage(
                    exchange: fixture.exchange, routingKey: ProbeEvent.type, body: Array("not json".utf8),
                    messageID: "garbage-1", type: ProbeEvent.type),
                AMQPOutgoingMessage(
                    exchange: fixture.exchange, routingKey: ProbeEvent.type,
                    body: Array(#"{"id":"6f1c1a52-8e0c-4a53-9d0e-1b9f1d2a7c11","type":"probe.inconnu","version":1,"occurredAt":"2026-11-29T08:00:00Z","producer":"x","correlationId":"c","payload":{}}"#.utf8),
                    messageID: "unknown-1", type: "probe.inconnu"),
            ])
            await publisher.close()
            try await fixture.writeEvents(0..<10)
            try await fixture.running([fixture.makeRelay(), fixture.makeConsumer()]) {
                try await fixture.expectEventually { try await fixture.effects().rows == 10 }
                try await fixture.expectEventually { try await fixture.deadLetters.count() == 2 }
            }
            let ids = Set(try await fixture.deadLetters.list().compactMap(\.messageID))
            #expect(ids == ["garbage-1", "unknown-1"])
        }
    }
}
