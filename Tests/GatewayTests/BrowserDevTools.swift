import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Headless Chromium driven through the DevTools protocol over a pipe
/// (`--remote-debugging-pipe`: commands on the browser's fd 3, answers and events on its fd 4,
/// one JSON message per NUL-terminated chunk). No WebSocket: Debian's libcurl, which Foundation's
/// URLSession uses on Linux, is built without WebSocket support.
final class DevToolsBrowser: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let executable = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private let profile: URL
    private let lock = NSLock()
    private var nextID = 0
    private var results: [Int: [String: Any]] = [:]
    private var events: [[String: Any]] = []
    private var closed = false
    private var exited = false
    /// The page's session (flat mode), once `openPage` attached to it.
    private(set) var session: String?

    /// Starts Chromium headless with an empty profile of its own.
    init(width: Int = 1280, height: Int = 900) throws {
        guard let executable = Self.executable else { throw Failure("no chromium executable") }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("cyclades-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure("pipe failed") }
        // Close-on-exec, and above 4 so that the child's dup2 onto 3 and 4 never meets one of them.
        func high(_ fd: Int32) -> Int32 {
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
            close(fd)
            return moved
        }
        toBrowser = toBrowser.map(high)
        fromBrowser = fromBrowser.map(high)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, profile.appendingPathComponent("chromium.log").path, O_WRONLY | O_CREAT, 0o644)
        let arguments = [
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--lang=fr-FR", "about:blank",
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        guard status == 0 else {
            close(toBrowser[1])
            close(fromBrowser[0])
            throw Failure("posix_spawn chromium: \(status)")
        }
        pid = child
        commands = toBrowser[1]
        answers = fromBrowser[0]
        let reader = Thread { [self] in readLoop() }
        reader.start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: profile)
    }

    /// The browser's standard error (for a failing test's report).
    var log: String { (try? String(contentsOf: profile.appendingPathComponent("chromium.log"), encoding: .utf8)) ?? "" }

    private func readLoop() {
        var pending = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(answers, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: 0) {
                let message = Data(pending[..<end])
                pending.removeSubrange(...end)
                guard let object = (try? JSONSerialization.jsonObject(with: message)) as? [String: Any] else { continue }
                lock.withLock {
                    if let id = object["id"] as? Int { results[id] = object } else { events.append(object) }
                }
            }
        }
        lock.withLock { closed = true }
    }

    /// Sends a command (to the page's session unless `browserLevel`) and waits for its result.
    @discardableResult
    func send(
        _ method: String, _ params: [String: Any] = [:], browserLevel: Bool = false, timeout: Duration = .seconds(20)
    ) async throws -> [String: Any] {
        let id = lock.withLock { nextID += 1; return nextID }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if !browserLevel, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure("\(method): the browser's pipe is closed") }
            offset += written
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (answer, gone) = lock.withLock { (results.removeValue(forKey: id), closed) }
            if let answer {
                if let error = answer["error"] as? [String: Any] {
                    throw Failure("\(method): \(error["message"] ?? error)")
                }
                return answer["result"] as? [String: Any] ?? [:]
            }
            if gone { throw Failure("\(method): the browser exited\n\(log.suffix(2_000))") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Failure("\(method): no answer within \(timeout)")
    }

    /// How many events of `method` arrived so far (to wait for the next one).
    func eventCount(_ method: String) -> Int {
        lock.withLock { events.filter { $0["method"] as? String == method }.count }
    }

    /// Waits until more than `after` events of `method` arrived.
    func waitForEvent(_ method: String, after: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if eventCount(method) > after { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure("no \(method) within \(timeout)")
    }

    /// Opens a page target and attaches to it; the later commands go to it.
    func openPage() async throws {
        let created = try await send("Target.createTarget", ["url": "about:blank"], browserLevel: true)
        guard let target = created["targetId"] as? String else { throw Failure("no targetId") }
        let attached = try await send("Target.attachToTarget", ["targetId": target, "flatten": true], browserLevel: true)
        guard let session = attached["sessionId"] as? String else { throw Failure("no sessionId") }
        lock.withLock { self.session = session }
        try await send("Page.enable")
        try await send("Runtime.enable")
        try await send("Log.enable")
    }

    /// Loads `url` and waits for its load event.
    func navigate(_ url: String) async throws {
        let loads = eventCount("Page.loadEventFired")
        let answer = try await send("Page.navigate", ["url": url])
        if let error = answer["errorText"] as? String { throw Failure("navigate \(url): \(error)") }
        try await waitForEvent("Page.loadEventFired", after: loads)
    }

    /// Runs `action` (which makes the page navigate, e.g. a click on a submit button) and waits
    /// for the next page's load event.
    func whileNavigating(_ action: () async throws -> Void) async throws {
        let loads = eventCount("Page.loadEventFired")
        try await action()
        try await waitForEvent("Page.loadEventFired", after: loads)
    }

    /// Evaluates `expression` in the page; returns its value (JSON-compatible results only).
    func evaluate(_ expression: String) async throws -> Any? {
        let answer = try await send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = answer["exceptionDetails"] as? [String: Any] {
            throw Failure("evaluate \(expression): \(exception["text"] ?? exception)")
        }
        return (answer["result"] as? [String: Any])?["value"]
    }

    func string(_ expression: String) async throws -> String {
        try await evaluate(expression) as? String ?? ""
    }

    /// Presses a key as a keyboard user would: `press("Tab", keyCode: 9)`, or with the character
    /// it types, `press("Enter", keyCode: 13, text: "\r")` (which submits a form).
    func press(_ key: String, keyCode: Int, text: String? = nil) async throws {
        var down: [String: Any] = ["type": text == nil ? "rawKeyDown" : "keyDown", "key": key, "code": key, "windowsVirtualKeyCode": keyCode]
        if let text { down["text"] = text }
        try await send("Input.dispatchKeyEvent", down)
        try await send("Input.dispatchKeyEvent", ["type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": keyCode])
    }

    /// The browser's own error messages so far (refused resources, CSP violations), as
    /// "text (url)".
    func logErrors() -> [String] {
        lock.withLock {
            events.compactMap { event -> String? in
                guard event["method"] as? String == "Log.entryAdded",
                      let entry = (event["params"] as? [String: Any])?["entry"] as? [String: Any],
                      entry["level"] as? String == "error"
                else { return nil }
                return "\(entry["text"] as? String ?? "?") (\(entry["url"] as? String ?? ""))"
            }
        }
    }

    /// Types `text` into the focused element.
    func type(_ text: String) async throws {
        try await send("Input.insertText", ["text": text])
    }

    /// A PNG of the page, written to `file`: the whole page (beyond the viewport) by default.
    func screenshot(to file: URL, fullPage: Bool = true) async throws {
        var params: [String: Any] = ["format": "png"]
        if fullPage {
            let metrics = try await send("Page.getLayoutMetrics")
            if let size = metrics["cssContentSize"] as? [String: Any],
               let width = (size["width"] as? NSNumber)?.doubleValue, let height = (size["height"] as? NSNumber)?.doubleValue {
                params["clip"] = ["x": 0, "y": 0, "width": width, "height": min(height, 4_000), "scale": 1]
                params["captureBeyondViewport"] = true
            }
        }
        let answer = try await send("Page.captureScreenshot", params)
        guard let base64 = answer["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw Failure("no screenshot data")
        }
        try data.write(to: file)
    }

    /// Closes the browser (politely, then by force) and reaps it.
    func stop() {
        let alreadyExited = lock.withLock { exited }
        guard !alreadyExited else { return }
        var message = [UInt8](#"{"id":999999,"method":"Browser.close"}"#.utf8)
        message.append(0)
        _ = message.withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
        var status: Int32 = 0
        var reaped = false
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; break }
            usleep(50_000)
        }
        if !reaped {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        close(commands)
        close(answers)
        lock.withLock { exited = true }
    }
}
