import Foundation
import TestSupport
import Testing

/// The local stack's scripts (often run as root) read and source files from the stack directory,
/// by default under /var/tmp where anyone may create a name first: a directory that is not
/// privately ours is refused before anything in it is read (issue 12, point 10).
@Suite struct StackDirectoryTests {
    /// `stack status` exits 3 for a stack that is not running, 1 when it refuses to start.
    private static let notRunning: Int32 = 3 << 8
    private static let refused: Int32 = 1 << 8

    @Test func aPrivateDirectoryIsAccepted() async throws {
        try await withDirectory(mode: 0o711) { directory in
            #expect(await TestStack.stackStatus(["status"], directory: directory) == Self.notRunning)
        }
    }

    @Test func aDirectoryOthersMayWriteIsRefused() async throws {
        try await withDirectory(mode: 0o777) { directory in
            #expect(await TestStack.stackStatus(["status"], directory: directory) == Self.refused)
        }
    }

    @Test func aDirectoryOwnedBySomeoneElseIsRefused() async throws {
        try await withDirectory(mode: 0o711) { directory in
            try #require(chown(directory, 65534, 65534) == 0, "chown needs root, as the scripts do")
            #expect(await TestStack.stackStatus(["status"], directory: directory) == Self.refused)
        }
    }

    @Test func anEnvFileOthersMayWriteIsRefused() async throws {
        try await withDirectory(mode: 0o711) { directory in
            let env = directory + "/env"
            try FileManager.default.createDirectory(
                atPath: env, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            let file = env + "/gateway.env"
            try Data("CYCLADES_LOG_LEVEL=info\n".utf8).write(to: URL(fileURLWithPath: file))
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file)
            #expect(await TestStack.stackStatus(["status"], directory: directory) == Self.refused)
        }
    }

    @Test func aSymbolicLinkIsRefused() async throws {
        try await withDirectory(mode: 0o711) { directory in
            let link = directory + "-link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory)
            defer { try? FileManager.default.removeItem(atPath: link) }
            #expect(await TestStack.stackStatus(["status"], directory: link) == Self.refused)
        }
    }

    private func withDirectory(mode: Int, _ body: (String) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + TestStack.uniqueName("cyclades-stackdir")
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: mode])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // createDirectory applies the umask: set the mode the test means.
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: directory)
        try await body(directory)
    }
}
