import CRabbitMQ
import Foundation
import Logging

/// Frees the C connection state. A plain class rather than the actor's deinit: an isolated
/// deinit on a custom-executor actor crashes swiftc 6.3.1 in release builds.
///
/// Only ever touched on the connection's thread (by the actor's jobs and by the thread's tick),
/// hence `@unchecked Sendable`.
private final class CConnectionState: @unchecked Sendable {
    let state: amqp_connection_state_t
    /// Set when a heartbeat could not be written: the socket is gone.
    private(set) var heartbeatFailure: Int32?
    init(_ state: amqp_connection_state_t) { self.state = state }
    deinit { amqp_destroy_connection(state) }

    /// Writes a heartbeat frame. Safe between any two operations: each actor job leaves the
    /// connection at a frame boundary, and heartbeats travel on channel 0.
    func sendHeartbeat() {
        guard heartbeatFailure == nil else { return }
        var frame = amqp_frame_t()
        frame.frame_type = UInt8(AMQP_FRAME_HEARTBEAT)
        frame.channel = 0
        let status = amqp_send_frame(state, &frame)
        if status != AMQP_STATUS_OK.rawValue { heartbeatFailure = status }
    }
}

/// One AMQP connection with one channel, living on its own OS thread.
///
/// Low level and not reconnecting: `AMQPPublisher` and `AMQPConsumer` build the resilient clients
/// on top of it. Every failure that breaks the connection marks it closed and throws
/// `AMQPError.connectionLost` or `.closedByBroker`.
public actor AMQPConnection {
    private let thread: ConnectionThread
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        thread.asUnownedSerialExecutor()
    }

    public nonisolated let configuration: AMQPConfiguration
    private var connection: CConnectionState?
    private let channel: amqp_channel_t = 1
    private var confirmsEnabled = false
    /// Delivery tag of the last message published on this channel in confirm mode.
    private var lastPublishedTag: UInt64 = 0
    private let logger: Logger

    private init(configuration: AMQPConfiguration, logger: Logger) {
        self.configuration = configuration
        self.thread = ConnectionThread(name: "amqp \(configuration.connectionName)")
        self.logger = logger
    }

    deinit { thread.shutdown() }

    /// Opens the TCP connection, logs in and opens channel 1.
    public static func connect(
        _ configuration: AMQPConfiguration, logger: Logger = Logger(label: "cyclades.amqp")
    ) async throws(AMQPError) -> AMQPConnection {
        let connection = AMQPConnection(configuration: configuration, logger: logger)
        try await connection.open()
        return connection
    }

    public var isOpen: Bool { connection != nil }

    private func open() throws(AMQPError) {
        guard let state = amqp_new_connection() else {
            throw .connectionLost("amqp_new_connection failed")
        }
        let holder = CConnectionState(state)
        guard let socket = amqp_tcp_socket_new(state) else {
            throw .connectionLost("amqp_tcp_socket_new failed")
        }
        var timeout = timeval(tv_sec: configuration.connectTimeoutSeconds, tv_usec: 0)
        let status = amqp_socket_open_noblock(
            socket, configuration.host, Int32(configuration.port), &timeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw .connectionLost(
                "cannot reach \(configuration.host):\(configuration.port): \(Self.describe(status))")
        }
        let login = cyclades_amqp_login_plain(
            state, configuration.vhost, 0, Int32(configuration.frameMax),
            Int32(configuration.heartbeatSeconds), configuration.user, configuration.password)
        try Self.check(login, "login as \(configuration.user) on vhost \(configuration.vhost)")
        amqp_channel_open(state, channel)
        try Self.check(amqp_get_rpc_reply(state), "channel.open")
        connection = holder
        // Heartbeats from the connection's own thread, whatever the application is doing: the
        // broker drops a client silent for two intervals. A quarter of the negotiated interval
        // leaves room for a thread the kernel schedules late.
        let negotiated = amqp_get_heartbeat(state)
        if negotiated > 0 {
            thread.startTicking(every: Double(negotiated) / 4) { [weak holder] in holder?.sendHeartbeat() }
        }
    }

    /// Closes the channel and the connection politely; safe to call twice.
    public func close() {
        guard let holder = connection else { return }
        connection = nil
        thread.stopTicking()
        _ = amqp_channel_close(holder.state, channel, AMQP_REPLY_SUCCESS)
        _ = amqp_connection_close(holder.state, AMQP_REPLY_SUCCESS)
    }

    // MARK: Declarations

    public func declare(_ topology: AMQPTopology) throws(AMQPError) {
        let state = try requireState()
        for exchange in topology.exchanges {
            let arena = CArena()
            amqp_exchange_declare(
                state, channel, arena.bytes(exchange.name), arena.bytes(exchange.kind.rawValue),
                0, 1, 0, 0, amqp_empty_table)
            try checkRPC("exchange.declare \(exchange.name)")
        }
        for queue in topology.queues {
            let arena = CArena()
            amqp_queue_declare(
                state, channel, arena.bytes(queue.name), 0, 1, 0, 0, arena.table(queue.arguments))
            try checkRPC("queue.declare \(queue.name)")
        }
        for binding in topology.bindings {
            let arena = CArena()
            amqp_queue_bind(
                state, channel, arena.bytes(binding.queue), arena.bytes(binding.exchange),
                arena.bytes(binding.routingKey), amqp_empty_table)
            try checkRPC("queue.bind \(binding.queue) to \(binding.exchange)")
        }
    }

    /// Number of ready messages in a queue (passive declare).
    public func messageCount(queue: String) throws(AMQPError) -> Int {
        let state = try requireState()
        let arena = CArena()
        let ok = amqp_queue_declare(state, channel, arena.bytes(queue), 1, 0, 0, 0, amqp_empty_table)
        try checkRPC("queue.declare passive \(queue)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    /// Removes every ready message of a queue; returns how many.
    @discardableResult
    public func purge(queue: String) throws(AMQPError) -> Int {
        let state = try requireState()
        let arena = CArena()
        let ok = amqp_queue_purge(state, channel, arena.bytes(queue))
        try checkRPC("queue.purge \(queue)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    public func deleteQueue(_ queue: String) throws(AMQPError) {
        let state = try requireState()
        let arena = CArena()
        amqp_queue_delete(state, channel, arena.bytes(queue), 0, 0)
        try checkRPC("queue.delete \(queue)")
    }

    // MARK: Publishing

    /// Publishes `messages` with publisher confirms, keeping at most `window` unconfirmed in
    /// flight, and returns once the broker has answered for every one.
    /// Throws `.publishRejected` listing the indexes nacked or returned as unroutable, and
    /// `PublishInterrupted` when the connection breaks midway.
    func publishConfirmed(_ messages: [AMQPOutgoingMessage], window: Int) throws {
        let state = try requireState()
        if !confirmsEnabled {
            amqp_confirm_select(state, channel)
            try checkRPC("confirm.select")
            confirmsEnabled = true
        }
        var tracker = ConfirmTracker(messages: messages, firstTag: lastPublishedTag + 1)
        if let failure = publishAll(state, messages, window: window, tracker: &tracker) {
            throw PublishInterrupted(confirmed: tracker.confirmed, cause: failure)
        }
        if !tracker.nacked.isEmpty || !tracker.returned.isEmpty {
            throw AMQPError.publishRejected(
                nacked: tracker.nacked.sorted(), returned: tracker.returned.sorted())
        }
    }

    /// The pipelined publish loop; returns the error that broke the connection, if any.
    private func publishAll(
        _ state: amqp_connection_state_t, _ messages: [AMQPOutgoingMessage], window: Int,
        tracker: inout ConfirmTracker
    ) -> AMQPError? {
        do throws(AMQPError) {
            for (index, message) in messages.enumerated() {
                while tracker.inFlight(upTo: index) >= window {
                    try readConfirmFrame(state, tracker: &tracker, wait: true)
                }
                try basicPublish(state, message)
                lastPublishedTag += 1
                // Take what has already arrived without waiting, so acks never pile up.
                while try readConfirmFrame(state, tracker: &tracker, wait: false) {}
            }
            while !tracker.isComplete {
                try readConfirmFrame(state, tracker: &tracker, wait: true)
            }
            return nil
        } catch {
            return error
        }
    }

    /// Publishes with confirms and waits for them all (no resending: see `AMQPPublisher`).
    public func publish(_ messages: [AMQPOutgoingMessage], window: Int = 500) throws {
        do {
            try publishConfirmed(messages, window: window)
        } catch let interrupted as PublishInterrupted {
            throw interrupted.cause
        }
    }

    private func basicPublish(
        _ state: amqp_connection_state_t, _ message: AMQPOutgoingMessage
    ) throws(AMQPError) {
        let arena = CArena()
        var properties = amqp_basic_properties_t()
        var flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG
            | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG
        properties.delivery_mode = 2
        properties.content_type = arena.bytes(message.contentType)
        properties.message_id = arena.bytes(message.messageID)
        properties.timestamp = UInt64(max(0, message.timestamp))
        if let type = message.type {
            flags |= AMQP_BASIC_TYPE_FLAG
            properties.type = arena.bytes(type)
        }
        if let correlationID = message.correlationID {
            flags |= AMQP_BASIC_CORRELATION_ID_FLAG
            properties.correlation_id = arena.bytes(correlationID)
        }
        if let replyTo = message.replyTo {
            flags |= AMQP_BASIC_REPLY_TO_FLAG
            properties.reply_to = arena.bytes(replyTo)
        }
        // Every message says who published it; the broker refuses a user_id that is not the
        // connection's own (unless the user may impersonate), so consumers can trust it.
        flags |= AMQP_BASIC_USER_ID_FLAG
        properties.user_id = arena.bytes(message.userID ?? configuration.user)
        if !message.headers.isEmpty {
            flags |= AMQP_BASIC_HEADERS_FLAG
            properties.headers = arena.table(message.headers)
        }
        properties._flags = amqp_flags_t(flags)
        // The body is only read during the call (rabbitmq-c copies it into its frame buffer).
        let exchange = arena.bytes(message.exchange)
        let routingKey = arena.bytes(message.routingKey)
        let channel = self.channel
        let status = message.body.withUnsafeBytes { body in
            amqp_basic_publish(
                state, channel, exchange, routingKey, message.mandatory ? 1 : 0, 0, &properties,
                amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
        }
        withExtendedLifetime(arena) {}
        if status != AMQP_STATUS_OK.rawValue {
            markLost()
            throw .connectionLost("basic.publish: \(Self.describe(status))")
        }
    }

    /// Reads one frame relevant to confirms. Returns false when `wait` is false and nothing was
    /// available.
    @discardableResult
    private func readConfirmFrame(
        _ state: amqp_connection_state_t, tracker: inout ConfirmTracker, wait: Bool
    ) throws(AMQPError) -> Bool {
        var frame = amqp_frame_t()
        var timeout = timeval(tv_sec: wait ? 30 : 0, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &timeout)
        if status == AMQP_STATUS_TIMEOUT.rawValue {
            if wait { markLost(); throw .connectionLost("no publisher confirm within 30 s") }
            return false
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            markLost()
            throw .connectionLost("waiting for confirms: \(Self.describe(status))")
        }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return true }
        let method = frame.payload.method
        switch method.id {
        case AMQP_BASIC_ACK_METHOD:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            tracker.settle(tag: ack.delivery_tag, multiple: ack.multiple != 0, ok: true)
        case AMQP_BASIC_NACK_METHOD:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            tracker.settle(tag: nack.delivery_tag, multiple: nack.multiple != 0, ok: false)
        case AMQP_BASIC_RETURN_METHOD:
            // The returned message's content follows; its ack comes after it.
            var returned = amqp_message_t()
            let reply = amqp_read_message(state, channel, &returned, 0)
            defer { amqp_destroy_message(&returned) }
            try Self.check(reply, "reading a returned message")
            tracker.markReturned(messageID: returned.properties.message_id.string)
        default:
            try handleClose(state, method)
        }
        return true
    }

    // MARK: Consuming

    /// `basic.qos` then `basic.consume` with manual acks.
    public func consume(queue: String, prefetch: Int, consumerTag: String) throws(AMQPError) {
        let state = try requireState()
        amqp_basic_qos(state, channel, 0, UInt16(clamping: prefetch), 0)
        try checkRPC("basic.qos")
        let arena = CArena()
        amqp_basic_consume(
            state, channel, arena.bytes(queue), arena.bytes(consumerTag), 0, 0, 0,
            amqp_empty_table)
        try checkRPC("basic.consume \(queue)")
    }

    /// Stops the broker sending new deliveries for `consumerTag` (messages already sent still
    /// arrive and can be acked).
    public func cancel(consumerTag: String) throws(AMQPError) {
        let state = try requireState()
        let arena = CArena()
        amqp_basic_cancel(state, channel, arena.bytes(consumerTag))
        try checkRPC("basic.cancel")
    }

    /// Waits up to `timeout` for a first delivery, then takes what is already buffered, up to
    /// `max`. Returns an empty array on timeout.
    public func receive(
        max: Int, timeout: Duration, generation: Int, acknowledging acks: [AMQPAck] = [],
        linger: Duration = .zero
    ) throws(AMQPError) -> [AMQPDelivery] {
        let state = try requireState()
        for ack in acks { try self.ack(ack.deliveryTag, multiple: ack.multiple) }
        var deliveries: [AMQPDelivery] = []
        let (seconds, attoseconds) = timeout.components
        var wait = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        let (lingerSeconds, lingerAttoseconds) = linger.components
        let lingerWait = timeval(
            tv_sec: Int(lingerSeconds), tv_usec: Int(lingerAttoseconds / 1_000_000_000_000))
        while deliveries.count < max {
            amqp_maybe_release_buffers(state)
            var envelope = amqp_envelope_t()
            let reply = amqp_consume_message(state, &envelope, &wait, 0)
            // After the first delivery, take what follows within `linger` of the previous one:
            // a stream is handed out in full batches (fewer round trips to this thread), a
            // trickle costs at most `linger` of latency per batch.
            wait = lingerWait
            if reply.reply_type == AMQP_RESPONSE_NORMAL {
                deliveries.append(Self.delivery(from: envelope, generation: generation))
                amqp_destroy_envelope(&envelope)
                continue
            }
            if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION {
                if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue { break }
                if reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue {
                    // A frame other than a delivery (e.g. a channel.close): read and judge it.
                    var frame = amqp_frame_t()
                    let status = amqp_simple_wait_frame(state, &frame)
                    guard status == AMQP_STATUS_OK.rawValue else {
                        markLost()
                        throw .connectionLost("reading frame: \(Self.describe(status))")
                    }
                    if frame.frame_type == UInt8(AMQP_FRAME_METHOD) {
                        try handleClose(state, frame.payload.method)
                    }
                    continue
                }
            }
            try Self.check(reply, "basic.consume")
        }
        return deliveries
    }

    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws(AMQPError) {
        let state = try requireState()
        let status = amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0)
        if status != AMQP_STATUS_OK.rawValue {
            markLost()
            throw .connectionLost("basic.ack: \(Self.describe(status))")
        }
    }

    /// Negative acknowledgement; `requeue: false` dead-letters the message(s).
    public func nack(_ deliveryTag: UInt64, multiple: Bool = false, requeue: Bool) throws(AMQPError) {
        let state = try requireState()
        let status = amqp_basic_nack(state, channel, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0)
        if status != AMQP_STATUS_OK.rawValue {
            markLost()
            throw .connectionLost("basic.nack: \(Self.describe(status))")
        }
    }

    public func reject(_ deliveryTag: UInt64, requeue: Bool) throws(AMQPError) {
        let state = try requireState()
        let status = amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0)
        if status != AMQP_STATUS_OK.rawValue {
            markLost()
            throw .connectionLost("basic.reject: \(Self.describe(status))")
        }
    }

    /// Fetches one message with `basic.get` (for admin tools: DLQ listing and replay).
    public func get(queue: String, generation: Int = 0) throws(AMQPError) -> AMQPDelivery? {
        let state = try requireState()
        let arena = CArena()
        let reply = amqp_basic_get(state, channel, arena.bytes(queue), 0)
        try Self.check(reply, "basic.get \(queue)")
        guard reply.reply.id == AMQP_BASIC_GET_OK_METHOD else { return nil }
        let ok = reply.reply.decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        var message = amqp_message_t()
        let read = amqp_read_message(state, channel, &message, 0)
        defer { amqp_destroy_message(&message) }
        try Self.check(read, "reading basic.get content")
        return Self.delivery(
            tag: ok.delivery_tag, redelivered: ok.redelivered != 0, exchange: ok.exchange,
            routingKey: ok.routing_key, message: message, generation: generation)
    }

    // MARK: Helpers

    private func requireState() throws(AMQPError) -> amqp_connection_state_t {
        guard let connection else { throw .notConnected }
        if let status = connection.heartbeatFailure {
            markLost()
            throw .connectionLost("heartbeat: \(Self.describe(status))")
        }
        return connection.state
    }

    private func markLost() {
        connection = nil
        thread.stopTicking()
    }

    private func checkRPC(_ what: String) throws(AMQPError) {
        guard let connection else { throw .notConnected }
        do {
            try Self.check(amqp_get_rpc_reply(connection.state), what)
        } catch {
            markLost()
            throw error
        }
    }

    /// A channel.close or connection.close from the broker: answer it and throw.
    private func handleClose(_ state: amqp_connection_state_t, _ method: amqp_method_t) throws(AMQPError) {
        switch method.id {
        case AMQP_CHANNEL_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            // Copy the text first: markLost() destroys the C state, and the frame's memory with it.
            let error = AMQPError.closedByBroker(code: Int(close.reply_code), text: close.reply_text.string)
            var ok = amqp_channel_close_ok_t()
            amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok)
            markLost()
            throw error
        case AMQP_CONNECTION_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let error = AMQPError.closedByBroker(code: Int(close.reply_code), text: close.reply_text.string)
            var ok = amqp_connection_close_ok_t()
            amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok)
            markLost()
            throw error
        default:
            return  // e.g. basic.cancel-ok, basic.qos-ok arriving late: nothing to do
        }
    }

    private static func check(_ reply: amqp_rpc_reply_t, _ what: String) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            switch reply.reply.id {
            case AMQP_CONNECTION_CLOSE_METHOD:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                throw .closedByBroker(code: Int(close.reply_code), text: "\(what): \(close.reply_text.string)")
            case AMQP_CHANNEL_CLOSE_METHOD:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                throw .closedByBroker(code: Int(close.reply_code), text: "\(what): \(close.reply_text.string)")
            default:
                throw .closedByBroker(code: 0, text: "\(what): unexpected server method \(reply.reply.id)")
            }
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw .connectionLost("\(what): \(describe(reply.library_error))")
        default:
            throw .connectionLost("\(what): no reply")
        }
    }

    static func describe(_ status: Int32) -> String {
        guard let text = amqp_error_string2(status) else { return "status \(status)" }
        return String(cString: text)
    }

    private static func delivery(from envelope: amqp_envelope_t, generation: Int) -> AMQPDelivery {
        delivery(
            tag: envelope.delivery_tag, redelivered: envelope.redelivered != 0,
            exchange: envelope.exchange, routingKey: envelope.routing_key,
            message: envelope.message, generation: generation)
    }

    private static func delivery(
        tag: UInt64, redelivered: Bool, exchange: amqp_bytes_t, routingKey: amqp_bytes_t,
        message: amqp_message_t, generation: Int
    ) -> AMQPDelivery {
        let properties = message.properties
        let flags = UInt32(properties._flags)
        func has(_ flag: Int32) -> Bool { flags & UInt32(flag) != 0 }
        return AMQPDelivery(
            deliveryTag: tag,
            generation: generation,
            redelivered: redelivered,
            exchange: exchange.string,
            routingKey: routingKey.string,
            body: message.body.array,
            messageID: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? properties.message_id.string : nil,
            type: has(AMQP_BASIC_TYPE_FLAG) ? properties.type.string : nil,
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? properties.content_type.string : nil,
            correlationID: has(AMQP_BASIC_CORRELATION_ID_FLAG) ? properties.correlation_id.string : nil,
            replyTo: has(AMQP_BASIC_REPLY_TO_FLAG) ? properties.reply_to.string : nil,
            timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? Int64(properties.timestamp) : nil,
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? properties.headers.headers : [:],
            userID: has(AMQP_BASIC_USER_ID_FLAG) ? properties.user_id.string : nil)
    }
}

/// An ack the consumer has not sent yet (see `AMQPConsumer.ack`).
public struct AMQPAck: Sendable {
    public var deliveryTag: UInt64
    public var multiple: Bool
}

/// Book-keeping of a confirm-mode batch: which delivery tags were acked, nacked or returned.
struct ConfirmTracker {
    let firstTag: UInt64
    private(set) var confirmed: [Bool]
    private(set) var nacked: Set<Int> = []
    private(set) var returned: Set<Int> = []
    private var settledCount = 0
    /// Lowest index not yet settled; everything below it is settled.
    private var low = 0
    private let messages: [AMQPOutgoingMessage]
    /// Built on the first `basic.return` only (they are rare: unroutable mandatory messages).
    private var indexByMessageID: [String: Int]?

    init(messages: [AMQPOutgoingMessage], firstTag: UInt64) {
        self.firstTag = firstTag
        self.messages = messages
        self.confirmed = Array(repeating: false, count: messages.count)
    }

    var isComplete: Bool { settledCount == confirmed.count }

    /// How many published messages (those before `index`) are still unconfirmed. The broker only
    /// settles what was published, so it is the difference of two counts.
    func inFlight(upTo index: Int) -> Int { index - settledCount }

    mutating func settle(tag: UInt64, multiple: Bool, ok: Bool) {
        guard tag >= firstTag else { return }
        let last = Int(tag - firstTag)
        guard last < confirmed.count else { return }
        let first = multiple ? low : last
        guard first <= last else { return }
        for index in first...last where !confirmed[index] {
            confirmed[index] = true
            settledCount += 1
            if !ok { nacked.insert(index) }
        }
        while low < confirmed.count && confirmed[low] { low += 1 }
    }

    /// A `basic.return` names no delivery tag: the message id tells which message it was.
    mutating func markReturned(messageID: String) {
        if indexByMessageID == nil {
            indexByMessageID = Dictionary(
                messages.enumerated().map { ($1.messageID, $0) }, uniquingKeysWith: { first, _ in first })
        }
        if let index = indexByMessageID?[messageID] { returned.insert(index) }
    }
}
