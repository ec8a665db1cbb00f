import Messaging

/// The event the messaging tests and the load benchmark send through the real kit.
public struct ProbeEvent: MessageContract, Equatable {
    public static let type = "probe.evenement"
    public static let version = 1

    public var seq: Int
    /// The handler refuses it while `<schema>.probe_settings.poison_active` is true (a permanent
    /// failure → dead-letter queue at once); once the cause is "fixed", a replay goes through.
    public var poison: Bool
    /// The handler kills its process (a crash loop the delivery limit must end).
    public var crash: Bool
    /// While `<schema>.probe_settings.hold_active` is true the handler fails with a real
    /// transient database error (SQLSTATE 40001), after counting the try in `holds_seen`
    /// (committed apart): the message is held, as when the database is away.
    public var hold: Bool

    public init(seq: Int, poison: Bool = false, crash: Bool = false, hold: Bool = false) {
        self.seq = seq
        self.poison = poison
        self.crash = crash
        self.hold = hold
    }

    /// `hold` came after the others: a message written without it is not held.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seq = try container.decode(Int.self, forKey: .seq)
        poison = try container.decode(Bool.self, forKey: .poison)
        crash = try container.decode(Bool.self, forKey: .crash)
        hold = try container.decodeIfPresent(Bool.self, forKey: .hold) ?? false
    }
}

/// The probe's tables: its effect (one row per handled event, deliberately without a unique
/// key: only the inbox stands between a duplicate delivery and a duplicate effect) and the switch
/// that makes poison messages fail.
public enum ProbeSchema {
    public static let statements = [
        "CREATE TABLE effects (seq integer NOT NULL, message_id text NOT NULL, handled_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE probe_settings (poison_active boolean NOT NULL, hold_active boolean NOT NULL DEFAULT true, holds_seen integer NOT NULL DEFAULT 0)",
        "INSERT INTO probe_settings (poison_active) VALUES (true)",
    ]
}

import Foundation
import PostgresNIO
import Storage

extension ProbeEvent {
    /// The probe's handler: records the effect, refuses poison while the switch is on, and
    /// kills its process on a crash message (only ever sent to the probe process).
    public static func handlers(database: Database) -> MessageHandlers {
        let effects = database.table("effects")
        let settings = database.table("probe_settings")
        var handlers = MessageHandlers()
        handlers.on(ProbeEvent.self) { envelope, context in
            if envelope.payload.crash {
                context.logger.critical("crash requested by the message")
                exit(70)
            }
            if envelope.payload.hold {
                // Seen through its own connection: this transaction is about to fail.
                let rows = try await database.query(PostgresQuery(unsafeSQL:
                    "UPDATE \(settings) SET holds_seen = holds_seen + 1 RETURNING hold_active"))
                for try await active in rows.decode(Bool.self) where active {
                    try await context.connection.query(
                        PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'probe held' USING ERRCODE = '40001'; END $$"),
                        logger: context.logger)
                }
            }
            if envelope.payload.poison {
                let rows = try await context.connection.query(
                    PostgresQuery(unsafeSQL: "SELECT bool_or(poison_active) FROM \(settings)"), logger: context.logger)
                for try await active in rows.decode(Bool?.self) where active == true {
                    throw PermanentMessageError("poison message \(envelope.payload.seq)")
                }
            }
            var binds = PostgresBindings()
            binds.append(envelope.payload.seq)
            binds.append(context.metadata.id.uuidString.lowercased())
            try await context.connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(effects) (seq, message_id) VALUES ($1, $2)", binds: binds),
                logger: context.logger)
        }
        return handlers
    }

    /// The same handling as `handlers`, as a batch handler (the shape of a work queue's
    /// consumer): every event of a delivery batch in one set-based statement.
    public static func batchHandlers(database: Database) -> MessageHandlers {
        let effects = database.table("effects")
        let settings = database.table("probe_settings")
        var handlers = MessageHandlers()
        handlers.onBatch(ProbeEvent.self) { envelopes, context in
            if envelopes.contains(where: \.payload.crash) {
                context.logger.critical("crash requested by a message of the batch")
                exit(70)
            }
            if let poison = envelopes.first(where: \.payload.poison) {
                let rows = try await context.connection.query(
                    PostgresQuery(unsafeSQL: "SELECT bool_or(poison_active) FROM \(settings)"), logger: context.logger)
                for try await active in rows.decode(Bool?.self) where active == true {
                    throw PermanentMessageError("poison message \(poison.payload.seq)")
                }
            }
            var binds = PostgresBindings()
            binds.append(envelopes.map(\.payload.seq))
            binds.append(envelopes.map { $0.id.uuidString.lowercased() })
            try await context.connection.query(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO \(effects) (seq, message_id) SELECT * FROM UNNEST($1::int4[], $2::text[])",
                    binds: binds),
                logger: context.logger)
        }
        return handlers
    }
}
