import Foundation
import Support

/// An `omnistock` process started by a test (the binary built next to the test bundle).
package final class DaemonProcess: @unchecked Sendable {
    private let process: ChildProcess
    package var pid: pid_t { process.pid }
    /// Where its stdout and stderr go.
    package let logPath: String

    /// The `omnistock` executable SwiftPM built beside the tests.
    package static var executable: String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("omnistock").path
    }

    /// Starts `omnistock arguments…` with extra environment variables; `openFileLimit` sets its soft and
    /// hard `RLIMIT_NOFILE` (through util-linux's `prlimit`).
    package init(_ arguments: [String], environment: [String: String] = [:], logPath: String? = nil, openFileLimit: Int? = nil) throws {
        let log = logPath ?? NSTemporaryDirectory() + "omnistock-\(UUID().uuidString.prefix(8)).log"
        self.logPath = log
        let command = openFileLimit.map { ["/usr/bin/prlimit", "--nofile=\($0):\($0)", "--", Self.executable] } ?? [Self.executable]
        process = try ChildProcess(command[0], Array(command.dropFirst()) + arguments, environment: environment, output: .append(path: log))
    }

    /// Sends `signal` (SIGKILL, SIGTERM, …).
    package func send(_ signal: Int32) { process.send(signal) }

    /// Waits up to `timeout` seconds for the process to exit; returns its exit code (128+n for signal n) or nil.
    @discardableResult
    package func wait(timeout: Double = 30) -> Int32? { process.wait(timeout: timeout) }

    /// Whether the process has not exited yet.
    package var isRunning: Bool { process.isRunning }

    /// The process's output so far.
    package var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The HTTP port `serve` reports in its text log (`port=… listening`) once bound; nil if it has not
    /// within `timeout` seconds.
    package func listeningPort(timeout: Double = 30) async throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let line = output.split(separator: "\n").first { $0.hasSuffix(" listening") && $0.contains("port=") }
            if let line, let match = line.firstMatch(of: /port=(\d+)/) { return Int(match.1) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Runs `omnistock arguments…` to completion and returns its exit code and output.
    package static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60
    ) throws -> (status: Int32?, output: String) {
        let process = try DaemonProcess(arguments, environment: environment)
        let status = process.wait(timeout: timeout)
        if status == nil {
            process.send(SIGKILL)
            process.wait(timeout: 5)
        }
        return (status, process.output)
    }
}
