import Messaging

/// The event the messaging tests and the load benchmark send through the real kit.
public struct ProbeEvent: MessageContract, Equatable {
    public static let type = "probe.evenement"
    public static let version = 1

    public var seq: Int
    /// The handler refuses it (a permanent failure → dead-letter queue at once).
    public var poison: Bool
    /// The handler kills its process (a crash loop the delivery limit must end).
    public var crash: Bool

    public init(seq: Int, poison: Bool = false, crash: Bool = false) {
        self.seq = seq
        self.poison = poison
        self.crash = crash
    }
}

/// The probe's effect: one row per handled event in `<schema>.effects`.
public enum ProbeSchema {
    public static let effects = """
        CREATE TABLE effects (seq integer NOT NULL, message_id text NOT NULL, handled_at timestamptz NOT NULL DEFAULT now())
        """
}
