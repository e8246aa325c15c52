import Foundation

/// An `omnistock` process started by a test (the binary built next to the test bundle).
public final class DaemonProcess: @unchecked Sendable {
    public let pid: pid_t
    /// Where its stdout and stderr go.
    public let logPath: String
    private var exitStatus: Int32?

    /// The `omnistock` executable SwiftPM built beside the tests.
    public static var executable: String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("omnistock").path
    }

    /// Starts `omnistock arguments…` with extra environment variables; `openFileLimit` sets its soft and
    /// hard `RLIMIT_NOFILE` (through util-linux's `prlimit`).
    public init(_ arguments: [String], environment: [String: String] = [:], logPath: String? = nil, openFileLimit: Int? = nil) throws {
        let log = logPath ?? NSTemporaryDirectory() + "omnistock-\(UUID().uuidString.prefix(8)).log"
        self.logPath = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let command = openFileLimit.map { ["/usr/bin/prlimit", "--nofile=\($0):\($0)", "--", Self.executable] } ?? [Self.executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        self.pid = pid
    }

    /// Sends `signal` (SIGKILL, SIGTERM, …).
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits up to `timeout` seconds for the process to exit; returns its exit code (128+n for signal n) or nil.
    @discardableResult
    public func wait(timeout: Double = 30) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        repeat {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid {
                exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                return exitStatus
            }
            usleep(20_000)
        } while Date() < deadline
        return nil
    }

    /// Whether the process has not exited yet.
    public var isRunning: Bool { wait(timeout: 0) == nil }

    /// The process's output so far.
    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The HTTP port `serve` reports in its text log (`port=… listening`) once bound; nil if it has not
    /// within `timeout` seconds.
    public func listeningPort(timeout: Double = 30) async throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let line = output.split(separator: "\n").first { $0.hasSuffix(" listening") && $0.contains("port=") }
            if let line, let match = line.firstMatch(of: /port=(\d+)/) { return Int(match.1) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Runs `omnistock arguments…` to completion and returns its exit code and output.
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> (status: Int32?, output: String) {
        let process = try DaemonProcess(arguments, environment: environment)
        let status = process.wait(timeout: timeout)
        if status == nil { process.send(SIGKILL); process.wait(timeout: 5) }
        return (status, process.output)
    }
}
