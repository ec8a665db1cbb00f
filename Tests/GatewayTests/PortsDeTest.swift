import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Ports for the degraded cases: a closed one (connection refused at once) and a silent one
/// (TCP accepted by the kernel, no HTTP answer ever).
enum PortsDeTest {
    /// A port nobody listens on: bound to learn a free number, then released.
    static func ferme() throws -> Int {
        let socket = try ouvrir()
        defer { close(socket) }
        return try port(of: socket)
    }

    private static func ouvrir() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestStackError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestStackError("bind: errno \(errno)")
        }
        return fd
    }

    fileprivate static func port(of fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw TestStackError("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A listening socket that never reads nor writes: connections complete in the kernel's
    /// backlog and requests wait for an answer that never comes.
    final class Muet: @unchecked Sendable {
        private let fd: Int32
        let port: Int
        var url: String { "http://127.0.0.1:\(port)" }

        init() throws {
            fd = try PortsDeTest.ouvrir()
            guard listen(fd, 64) == 0 else {
                close(fd)
                throw TestStackError("listen: errno \(errno)")
            }
            port = try PortsDeTest.port(of: fd)
        }

        deinit { close(fd) }
    }
}
