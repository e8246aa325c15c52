import Foundation

/// A child process started with `posix_spawn`: the one launcher of tools (`pg_ctl`, `openssl`) and of `omnistock`
/// processes in tests and benchmarks.
///
/// Synchronous on purpose, and not Foundation's `Process`: `Process` can miss the exit of a child that leaves a
/// daemon behind (as `pg_ctl start` does), which hangs `waitUntilExit`; and the callers are synchronous code (the
/// embedded cluster) or hold a process across a whole test. (swift-subprocess ties a child's lifetime to an async
/// closure and reads output through pipes, which a daemon left behind keeps open.)
///
/// The child reads `/dev/null`, writes stdout and stderr together to a file or to nowhere, and starts with no
/// blocked signals and default handlers (threads of this process, Dispatch's among them, block some, and a blocked
/// SIGALRM or SIGINT would be inherited).
package final class ChildProcess: @unchecked Sendable {
    /// Where the child's stdout and stderr go.
    package enum Output: Sendable {
        case discard
        /// Appended to the file at `path` (created if missing).
        case append(path: String)
        /// Written to the file at `path`, replacing what it held.
        case replace(path: String)
    }

    /// Why a process could not be started.
    package struct SpawnError: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    package let pid: pid_t
    private var exitStatus: Int32?

    /// Starts `executable arguments…`; `environment` is added to this process's own.
    package init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], output: Output = .discard) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch output {
        case .discard: posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        case .append(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        case .replace(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw SpawnError(description: "cannot run \(executable): \(String(cString: strerror(spawned)))") }
        self.pid = pid
    }

    /// Sends `signal` (SIGKILL, SIGTERM, …).
    package func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to exit, at most `timeout` seconds (nil: as long as it takes); returns its exit code
    /// (128 + n when killed by signal n), or nil if it is still running.
    @discardableResult
    package func wait(timeout: Double? = nil) -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard let timeout else {
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return exited(status)
        }
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if waitpid(pid, &status, WNOHANG) == pid { return exited(status) }
            usleep(20_000)
        } while Date() < deadline
        return nil
    }

    /// Whether the process has not exited yet.
    package var isRunning: Bool { wait(timeout: 0) == nil }

    /// SIGTERM, then SIGKILL when it has not exited within `grace` seconds; returns the exit code.
    @discardableResult
    package func terminate(grace: Double) -> Int32? {
        guard isRunning else { return exitStatus }
        send(SIGTERM)
        if let status = wait(timeout: grace) { return status }
        send(SIGKILL)
        return wait()
    }

    /// Runs `executable arguments…` to completion; returns its exit code and its stdout and stderr together.
    package static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("omnistock-tool-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        let process = try ChildProcess(executable, arguments, output: .replace(path: outputPath))
        let status = process.wait() ?? -1
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    private func exited(_ status: Int32) -> Int32 {
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }
}
