import CurlHTTP
import Foundation
import PostgresClient
import TestSupport
import Testing

/// The private PostgreSQL cluster `serve` starts when no database is configured: a command run beside
/// the daemon must not stop it, and the daemon brings it back when it stops anyway.
@Suite(.serialized) struct EmbeddedClusterTests {
    let client = CurlHTTPClient()

    /// `checkInterval`: how often the daemon looks whether its cluster still runs.
    func writeConfig(dataDirectory: String, checkInterval: String = "1s") throws -> String {
        let path = NSTemporaryDirectory() + "omnistock-embedded-\(UUID().uuidString.prefix(8)).toml"
        try """
        data_dir = "\(dataDirectory)"
        [database]
        embedded_check_interval = "\(checkInterval)"
        [server]
        listen = "127.0.0.1:0"
        [[locations]]
        code = "wh-main"
        kind = "warehouse"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func readiness(port: Int) async -> Int {
        (try? await client.execute(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(3))).status) ?? 0
    }

    func eventuallyReady(port: Int, timeout: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await readiness(port: port) == 200 { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Stops the cluster under `dataDirectory` the way a crash or an operator would, behind the daemon's back.
    func stopClusterBehindTheDaemon(_ dataDirectory: String) throws {
        let cluster = try EmbeddedCluster(directory: URL(fileURLWithPath: dataDirectory).appendingPathComponent("postgresql"))
        try cluster.stopServer(mode: "immediate")
        #expect(!cluster.isRunning)
    }

    /// Starts `serve` on a fresh data directory and runs `body` with its port once it is ready.
    func withDaemon(
        checkInterval: String, _ body: (_ port: Int, _ config: String, _ dataDirectory: String, _ daemon: DaemonProcess) async throws -> Void
    ) async throws {
        let dataDirectory = NSTemporaryDirectory() + "omnistock-data-\(UUID().uuidString.prefix(8))"
        let config = try writeConfig(dataDirectory: dataDirectory, checkInterval: checkInterval)
        let daemon = try DaemonProcess(["serve", "--config", config], environment: ["OMNISTOCK_DATABASE_URL": ""])
        defer {
            if daemon.isRunning { daemon.send(SIGKILL) }
            client.shutdown()
        }
        let port = try #require(try await daemon.listeningPort(timeout: 120), "\(daemon.output)")
        #expect(try await eventuallyReady(port: port, timeout: 30))
        try await body(port, config, dataDirectory, daemon)
        // SIGTERM stops the daemon promptly, and with it the cluster it started.
        daemon.send(SIGTERM)
        #expect(daemon.wait(timeout: 20) == 0, "\(daemon.output.suffix(1000))")
        let cluster = try EmbeddedCluster(directory: URL(fileURLWithPath: dataDirectory).appendingPathComponent("postgresql"))
        #expect(!cluster.isRunning)
    }

    @Test("a CLI command run beside the daemon leaves the daemon's embedded cluster running")
    func commandsLeaveTheDaemonsCluster() async throws {
        // The daemon would restart a stopped cluster only after ten minutes: the command must not stop it at all.
        try await withDaemon(checkInterval: "10m") { port, config, _, _ in
            let command = try DaemonProcess.run(["stock", "NO-SUCH", "--config", config], environment: ["OMNISTOCK_DATABASE_URL": ""])
            #expect(command.status == 1, "\(command.output)")
            try await Task.sleep(for: .seconds(1))
            #expect(await readiness(port: port) == 200, "the command stopped the daemon's cluster")
        }
    }

    @Test("the daemon starts its embedded cluster again when it stopped behind its back")
    func aStoppedClusterIsStartedAgain() async throws {
        try await withDaemon(checkInterval: "1s") { port, _, dataDirectory, daemon in
            try stopClusterBehindTheDaemon(dataDirectory)
            #expect(await readiness(port: port) == 503)
            #expect(try await eventuallyReady(port: port, timeout: 30), "the daemon did not start its cluster again: \(daemon.output.suffix(2000))")
            #expect(daemon.isRunning)
        }
    }

    @Test("a data_dir that cannot be created is one line naming the path, exit 2")
    func unusableDataDirectory() throws {
        let blocker = NSTemporaryDirectory() + "omnistock-file-\(UUID().uuidString.prefix(8))"
        try "not a directory".write(toFile: blocker, atomically: true, encoding: .utf8)
        let config = try writeConfig(dataDirectory: blocker + "/data")
        let result = try DaemonProcess.run(["verify", "--config", config], environment: ["OMNISTOCK_DATABASE_URL": ""])
        #expect(result.status == 2)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 1, "\(result.output)")
        #expect(result.output.contains(blocker + "/data"))
    }
}
