import AMQP
import Foundation
@testable import Messaging
import Testing
import TestSupport

/// One service's broker credentials cannot pass for another service: the broker refuses a
/// routing key outside the service's own name on `cyclades.events` (topic permissions), a
/// foreign `user_id`, and commands from a service that sends none; the consumer refuses an
/// envelope whose producer is not the broker user that published it.
@Suite("Messaging: a service cannot forge another's messages")
struct ForgeryTests {
    static func message(exchange: String, routingKey: String, userID: String? = nil) -> AMQPOutgoingMessage {
        AMQPOutgoingMessage(
            exchange: exchange, routingKey: routingKey, body: Array(#"{"forged":true}"#.utf8),
            messageID: UUID().uuidString.lowercased(), type: routingKey, userID: userID)
    }

    /// Publishes with `user`'s credentials; returns the broker's refusal code, or nil when accepted.
    static func refusal(as user: String, _ message: AMQPOutgoingMessage) async throws -> Int? {
        let connection = try await AMQPConnection.connect(try TestStack.amqp(user))
        defer { Task { await connection.close() } }
        do {
            try await connection.publish([message], window: 1)
            return nil
        } catch AMQPError.closedByBroker(let code, _) {
            return code
        } catch AMQPError.publishRejected {
            return nil  // accepted by the permissions, just unroutable
        }
    }

    @Test("inscription's credentials cannot publish evaluation's events, nor claim another user_id, nor send commands")
    func brokerRefusesForgedPublications() async throws {
        // Its own events: accepted (nothing is bound to this key: returned, not refused).
        #expect(try await Self.refusal(as: "inscription", Self.message(exchange: Topology.events, routingKey: "inscription.essai.forge")) == nil)
        // Another service's routing key on cyclades.events: 403 ACCESS_REFUSED.
        #expect(try await Self.refusal(as: "inscription", Self.message(exchange: Topology.events, routingKey: "evaluation.notes.consolidees")) == 403)
        // Another service's user_id: 406 PRECONDITION_FAILED.
        #expect(try await Self.refusal(as: "inscription", Self.message(exchange: Topology.events, routingKey: "inscription.essai.forge", userID: "evaluation")) == 406)
        // A grade command from a service that sends none: 403.
        #expect(try await Self.refusal(as: "inscription", Self.message(exchange: Topology.commands, routingKey: "evaluation.saisie")) == 403)
        // The operator may replay with the original producer's user_id.
        #expect(try await Self.refusal(as: "admin", Self.message(exchange: Topology.events, routingKey: "inscription.essai.forge", userID: "inscription")) == nil)
    }

    @Test("the consumer refuses an envelope whose producer or type is not the publishing broker user's")
    func consumerChecksTheProducer() throws {
        func metadata(type: String, producer: String) -> EnvelopeMetadata {
            EnvelopeMetadata(id: UUID(), type: type, version: 1, occurredAt: Date(), producer: producer, correlationId: "c")
        }
        func delivery(_ user: String?) -> AMQPDelivery { AMQPDelivery(deliveryTag: 1, generation: 1, body: [], userID: user) }
        #expect(MessageConsumer.forgery(delivery("evaluation"), metadata(type: "evaluation.notes.consolidees", producer: "evaluation")) == nil)
        #expect(MessageConsumer.forgery(delivery("admin"), metadata(type: "evaluation.notes.consolidees", producer: "evaluation")) == nil)
        #expect(MessageConsumer.forgery(delivery("inscription"), metadata(type: "evaluation.notes.consolidees", producer: "evaluation")) != nil)
        #expect(MessageConsumer.forgery(delivery("inscription"), metadata(type: "evaluation.saisie", producer: "inscription")) != nil)
        #expect(MessageConsumer.forgery(delivery(nil), metadata(type: "evaluation.saisie", producer: "evaluation")) != nil)
    }
}
