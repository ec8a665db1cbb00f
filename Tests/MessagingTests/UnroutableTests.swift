import AMQP
import Foundation
import Messaging
import PostgresNIO
import Storage
import Testing
import TestSupport

@Suite("Outbox: events nobody is bound to yet")
struct UnroutableTests {
    @Test("an event published while no queue is bound stays unsent and reported, the others flow, and it is delivered once a queue binds")
    func unroutableEventIsKeptAndRetried() async throws {
        try await MessagingFixture.with { fixture in
            let sansAbonne = "test.sans.abonne"
            try await fixture.database.transaction { connection in
                let orphan = try fixture.outbox.entry(ProbeEvent(seq: 1), aggregate: "probe:orphan", exchange: fixture.exchange, routingKey: sansAbonne)
                try await fixture.outbox.write([orphan], on: connection, logger: fixture.logger)
            }
            try await fixture.writeEvents(2..<12)
            let relay = fixture.makeRelay(unroutableRetryInterval: .milliseconds(500))
            try await fixture.running([relay]) {
                // The ten routable events reach the queue; the orphan is set aside, not marked sent.
                try await fixture.expectEventually { try await fixture.messageCount(fixture.queue) == 10 }
                try await fixture.expectEventually { try await relay.status().unroutable == 1 }
                let status = try await relay.status()
                #expect(status.pending == 0)
                #expect(try await fixture.unsent() == 1)
                #expect(try await fixture.database.count("outbox", where: "routing_key = '\(sansAbonne)' AND sent_at IS NULL AND returned_at IS NOT NULL AND returns >= 1") == 1)

                // A subscriber binds its queue: the next retry delivers the orphan and marks it sent.
                let connection = try await AMQPConnection.connect(fixture.amqp)
                try await connection.declare(Topology.consumerQueue(
                    fixture.queue, exchange: fixture.exchange, routingKeys: [ProbeEvent.type, sansAbonne]))
                await connection.close()
                try await fixture.expectEventually { try await fixture.messageCount(fixture.queue) == 11 }
                try await fixture.expectEventually { try await fixture.unsent() == 0 }
                #expect(try await relay.status().unroutable == 0)
            }
        }
    }
}
