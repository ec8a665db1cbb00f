import Foundation

/// The Python tools the tests check documents with (openapi-spec-validator, jsonschema), which
/// `deploy/local/test` installs.
public enum Python {
    /// Runs `python3 ARGS` (`CYCLADES_PYTHON` to choose another) on a thread of its own; returns
    /// its exit status and its output (stdout and stderr).
    public static func executer(_ arguments: [String]) async throws -> (Int32, String) {
        let python = ProcessInfo.processInfo.environment["CYCLADES_PYTHON"] ?? "python3"
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [python] + arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }
}
