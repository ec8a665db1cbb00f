import CRabbitMQ

/// Owns the C memory that one rabbitmq-c call borrows (byte strings, tables), freed when the
/// arena goes away. Avoids the dangling-pointer trap of `amqp_cstring_bytes` on Swift strings.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { for pointer in allocations { pointer.deallocate() } }

    init() { allocations.reserveCapacity(8) }

    func bytes(_ string: String) -> amqp_bytes_t {
        var string = string
        return string.withUTF8 { copy(UnsafeRawBufferPointer($0)) }
    }

    func bytes(_ data: [UInt8]) -> amqp_bytes_t {
        data.withUnsafeBytes { copy($0) }
    }

    private func copy(_ source: UnsafeRawBufferPointer) -> amqp_bytes_t {
        guard let base = source.baseAddress, source.count > 0 else { return amqp_bytes_t(len: 0, bytes: nil) }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: source.count, alignment: 1)
        pointer.copyMemory(from: base, byteCount: source.count)
        allocations.append(pointer)
        return amqp_bytes_t(len: source.count, bytes: pointer)
    }

    func table(_ values: [String: AMQPHeaderValue]) -> amqp_table_t {
        guard !values.isEmpty else { return amqp_empty_table }
        let entries = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: values.count)
        allocations.append(UnsafeMutableRawPointer(entries))
        for (index, (key, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
            var field = amqp_field_value_t()
            switch value {
            case .string(let string):
                field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                field.value.bytes = bytes(string)
            case .int(let int):
                field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                field.value.i64 = int
            case .bool(let bool):
                field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
                field.value.boolean = bool ? 1 : 0
            }
            entries[index] = amqp_table_entry_t(key: bytes(key), value: field)
        }
        return amqp_table_t(num_entries: Int32(values.count), entries: entries)
    }
}

extension amqp_bytes_t {
    /// A Swift copy of the bytes.
    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }

    /// A Swift string of the bytes, decoded in place (no intermediate array; names up to 15
    /// bytes are small strings, without any allocation).
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }
}

extension amqp_table_t {
    /// The string, integer and boolean entries of the table (other kinds are skipped).
    var headers: [String: AMQPHeaderValue] {
        var result: [String: AMQPHeaderValue] = [:]
        guard num_entries > 0, let entries else { return result }
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            let key = entry.key.string
            let value = entry.value
            switch UInt32(value.kind) {
            case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue:
                result[key] = .string(value.value.bytes.string)
            case AMQP_FIELD_KIND_I8.rawValue: result[key] = .int(Int64(value.value.i8))
            case AMQP_FIELD_KIND_U8.rawValue: result[key] = .int(Int64(value.value.u8))
            case AMQP_FIELD_KIND_I16.rawValue: result[key] = .int(Int64(value.value.i16))
            case AMQP_FIELD_KIND_U16.rawValue: result[key] = .int(Int64(value.value.u16))
            case AMQP_FIELD_KIND_I32.rawValue: result[key] = .int(Int64(value.value.i32))
            case AMQP_FIELD_KIND_U32.rawValue: result[key] = .int(Int64(value.value.u32))
            case AMQP_FIELD_KIND_I64.rawValue: result[key] = .int(value.value.i64)
            case AMQP_FIELD_KIND_U64.rawValue: result[key] = .int(Int64(bitPattern: value.value.u64))
            case AMQP_FIELD_KIND_BOOLEAN.rawValue: result[key] = .bool(value.value.boolean != 0)
            default: continue
            }
        }
        return result
    }
}
