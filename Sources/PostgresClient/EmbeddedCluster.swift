import Foundation
import Logging

/// A private PostgreSQL cluster under a data directory, started with the server's own tools
/// (`initdb`, `pg_ctl`). It listens on a Unix socket inside the directory and on no TCP port.
///
/// PostgreSQL refuses to run as root; when this process is root, the server runs as the
/// `postgres` system user (created by the Debian package) and the directory is handed to it.
///
/// Several processes may share one cluster (the daemon and CLI commands with the same `data_dir`): only
/// the process that started the server stops it (``startedHere``), so a command run beside the daemon
/// leaves the daemon's database alone.
package final class EmbeddedCluster: @unchecked Sendable {
    /// Raised when the cluster cannot be created or started.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        /// The data directory cannot be created or handed over: a configuration problem, not a database one.
        package var isDirectoryProblem = false
    }

    /// The directory that holds the cluster (`pgdata/`) and its socket.
    package let directory: URL
    /// The directory with `initdb`, `pg_ctl` and `postgres`.
    package let binDirectory: URL
    /// The superuser created by `initdb`.
    package let user = "omnistock"
    let logger: Logger
    private let state = NSLock()
    private var started = false

    /// Whether this process started the running server (and so stops it on ``stop(mode:)``).
    package var startedHere: Bool { state.withLock { started } }

    var dataDirectory: URL { directory.appendingPathComponent("pgdata") }
    var socketDirectory: URL { directory.appendingPathComponent("socket") }
    /// The data directory (`pgdata/` inside ``directory``).
    package var dataPath: String { dataDirectory.path }
    /// The directory of the server's Unix socket (a libpq `host`).
    package var socketPath: String { socketDirectory.path }
    var logFile: URL { directory.appendingPathComponent("postgresql.log") }

    package init(directory: URL, binDirectory: URL? = nil, logger: Logger = Logger(label: "omnistock.embedded-pg")) throws {
        self.directory = directory.standardizedFileURL
        self.binDirectory = try binDirectory ?? Self.findBinaries()
        self.logger = logger
    }

    /// Finds the PostgreSQL server binaries: `PATH` first, then the newest `/usr/lib/postgresql/*/bin`.
    package static func findBinaries() throws -> URL {
        let fileManager = FileManager.default
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        // A directory counts only if it holds the whole server kit, not a lone wrapper script.
        let complete = { (directory: String) in
            ["pg_ctl", "initdb", "postgres", "pgbench"].allSatisfy { fileManager.isExecutableFile(atPath: "\(directory)/\($0)") }
        }
        for entry in path.split(separator: ":") where complete(String(entry)) {
            return URL(fileURLWithPath: String(entry))
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where complete("\(root)/\(version)/bin") {
            return URL(fileURLWithPath: "\(root)/\(version)/bin")
        }
        throw Failure(
            description:
                "no PostgreSQL server binaries found (pg_ctl not on PATH nor under /usr/lib/postgresql/*/bin); install them with: apt-get install -y postgresql"
        )
    }

    /// The libpq URL of database `database` in this cluster.
    package func url(database: String = "postgres") -> String {
        "postgresql:///\(database)?host=\(socketDirectory.path)&user=\(user)"
    }

    /// Creates the cluster if the directory has none, then starts it unless another process already
    /// did, and waits until it accepts connections.
    package func start(extraSettings: [String: String] = [:]) throws {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(socketDirectory.path): \(Self.reason(error))", isDirectoryProblem: true)
        }
        try handOverToServerUser(directory)
        try handOverToServerUser(socketDirectory)
        if !fileManager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["directory": "\(dataDirectory.path)"])
            try runTool("initdb", ["-D", dataDirectory.path, "-U", user, "-A", "trust", "-E", "UTF8", "--no-instructions"])
        }
        var settings = [
            "listen_addresses": "''",
            "unix_socket_directories": "'\(socketDirectory.path)'",
            "max_connections": "200",
        ]
        settings.merge(extraSettings) { $1 }
        let options = settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        if isRunning { return }
        do {
            try runTool("pg_ctl", ["-D", dataDirectory.path, "-l", logFile.path, "-o", options, "-w", "-t", "60", "start"])
        } catch  where isRunning {
            // Another process started it in the meantime: use that server, leave stopping it to that process.
            return
        }
        state.withLock { started = true }
    }

    /// Stops the server if this process started it; a server another process started is left running.
    /// `mode` is `pg_ctl`'s shutdown mode: `fast` rolls back open transactions, `immediate` aborts.
    package func stop(mode: String = "fast") throws {
        guard startedHere else { return }
        try stopServer(mode: mode)
    }

    /// Stops the server whoever started it (for tests and operators).
    package func stopServer(mode: String = "fast") throws {
        state.withLock { started = false }
        guard isRunning else { return }
        try runTool("pg_ctl", ["-D", dataDirectory.path, "-m", mode, "-w", "stop"])
    }

    /// Whether a server is running on this data directory.
    package var isRunning: Bool {
        (try? runTool("pg_ctl", ["-D", dataDirectory.path, "status"])) != nil
    }

    private var runsAsRoot: Bool { geteuid() == 0 }

    private func handOverToServerUser(_ url: URL) throws {
        guard runsAsRoot else { return }
        guard let account = getpwnam("postgres") else {
            throw Failure(
                description: "PostgreSQL cannot run as root and there is no postgres user; install the postgresql package or run as a normal user")
        }
        guard chown(url.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0, chmod(url.path, 0o700) == 0 else {
            throw Failure(description: "cannot hand \(url.path) to the postgres user: \(String(cString: strerror(errno)))", isDirectoryProblem: true)
        }
    }

    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(underlying.code))) }
        return (error as NSError).localizedDescription
    }

    @discardableResult
    private func runTool(_ tool: String, _ arguments: [String]) throws -> String {
        try Self.runAsServerUser(binDirectory.appendingPathComponent(tool).path, arguments)
    }

    /// Runs a PostgreSQL tool to completion, as the `postgres` user when this process is root (the server refuses
    /// root, and so does PgBouncer); returns its output, or throws with its exit code and the output's tail.
    @discardableResult
    package static func runAsServerUser(_ executable: String, _ arguments: [String]) throws -> String {
        let asRoot = geteuid() == 0
        let outcome = try ToolRunner.run(
            asRoot ? "/sbin/runuser" : executable, asRoot ? ["-u", "postgres", "--", executable] + arguments : arguments)
        guard outcome.status == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw Failure(description: "\(name) \(arguments.first ?? "") failed (exit \(outcome.status)): \(outcome.output.suffix(600))")
        }
        return outcome.output
    }
}
