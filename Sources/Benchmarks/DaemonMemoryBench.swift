import ChannelSimulators
import CurlHTTP
import Foundation
import Ledger
import PostgresClient

/// Peak resident memory of a real `omnistock serve` process over a large catalogue: the daemon pushes
/// every level to a store endpoint (a first sync), then reconciles them all on request through the admin API.
///
/// Runs last: the daemon keeps only its configured channel, so it removes the other benchmarks' channels.
struct DaemonMemoryBench {
    struct Result {
        var levels: Int
        var firstSyncSeconds: Double
        var reconcileSeconds: Double
        var reconciled: Int
        var peakRSSBytes: Int
    }

    static let channel = "bench-rss"
    let pool: PostgresPool
    /// The `omnistock` executable to start as the daemon.
    let executable: URL
    let log: @Sendable (String) -> Void

    /// Seeds `skus` × `locations` levels, then measures the daemon's first sync and a full reconcile.
    func run(skus: Int, locations locationCount: Int, timeout: Double = 900) async throws -> Result {
        let locations = (0..<locationCount).map { String(format: "bench-rss-%02d", $0) }
        try BenchCatalog.create(pool: pool, skus: skus, locations: locations, onHand: 5)
        let levels = skus * locationCount
        let simulator = try await BenchEndpoint.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("omnistock-rss-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try FreePort.find()
        let token = UUID().uuidString
        let configPath = directory.appendingPathComponent("omnistock.toml").path
        try configuration(port: port, token: token, endpoint: simulator.baseURL, locations: locations)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try DaemonUnderTest(
            executable: executable, arguments: ["serve", "--config", configPath, "--database", pool.conninfo],
            logFile: directory.appendingPathComponent("daemon.log"))
        defer {
            daemon.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        do {
            let started = Date()
            log("daemon pushing \(levels) levels …")
            try await waitFor("the first sync", daemon: daemon, deadline: started.addingTimeInterval(timeout)) {
                try pool.query(
                    """
                    SELECT count(*) = $2 AND count(*) FILTER (WHERE pushed_version IS DISTINCT FROM wanted_version) = 0
                    FROM outbox WHERE channel = $1
                    """, [Self.channel, levels]
                ) { try $0[0].decode(Bool.self, at: 0) }
            }
            let firstSync = Date().timeIntervalSince(started)
            log("daemon reconciling \(levels) levels …")
            let reconcileStarted = Date()
            let run = try await requestReconcile(port: port, token: token)
            var reconciled = 0
            try await waitFor("the reconcile", daemon: daemon, deadline: reconcileStarted.addingTimeInterval(timeout)) {
                let (status, compared) = try pool.query(
                    "SELECT status, (report->'channels'->0->>'compared')::int FROM reconcile_runs WHERE id = $1", [run]
                ) { rows in (try rows[0].decode(String.self, at: 0), try rows[0].decode(Int?.self, at: 1)) }
                guard status != "failed" else { throw BenchError(message: "the daemon's reconcile failed") }
                reconciled = compared ?? 0
                return status == "completed"
            }
            let reconcileSeconds = Date().timeIntervalSince(reconcileStarted)
            guard let peak = daemon.peakResidentBytes() else { throw BenchError(message: "cannot read the daemon's VmHWM") }
            await simulator.stop()
            return Result(levels: levels, firstSyncSeconds: firstSync, reconcileSeconds: reconcileSeconds, reconciled: reconciled, peakRSSBytes: peak)
        } catch {
            await simulator.stop()
            throw BenchError(message: "\(error)\n--- daemon log ---\n\(daemon.logTail())")
        }
    }

    private func configuration(port: Int, token: String, endpoint: String, locations: [String]) -> String {
        var text = """
            [server]
            listen = "127.0.0.1:\(port)"
            tokens = [{ token = "\(token)", scope = "write" }]

            [sync]
            reconcile_interval = "24h"

            [logging]
            level = "warning"

            """
        for code in locations {
            text += "\n[[locations]]\ncode = \"\(code)\"\nkind = \"warehouse\"\n"
        }
        text += """

            [[channels]]
            code = "\(Self.channel)"
            kind = "omnistock-json"
            base_url = "\(endpoint)"
            token = "\(BenchEndpoint.token)"
            locations = [\(locations.map { "\"\($0)\"" }.joined(separator: ", "))]
            batch_size = 1000
            concurrency = 4

            """
        return text
    }

    /// `POST /v1/reconcile` for the benchmark's channel; returns the run's id.
    private func requestReconcile(port: Int, token: String) async throws -> Int {
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let response = try await client.execute(
            HTTPRequest(
                method: .post, url: "http://127.0.0.1:\(port)/v1/reconcile",
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                body: Array(#"{"channel": "\#(Self.channel)"}"#.utf8)))
        struct Accepted: Decodable { var id: Int }
        guard response.status == 202, let accepted = try? JSONDecoder().decode(Accepted.self, from: Data(response.body)) else {
            throw BenchError(message: "POST /v1/reconcile answered \(response.status): \(response.bodyText.prefix(300))")
        }
        return accepted.id
    }

    /// Polls `done` every half second until it holds; fails when the daemon exits or the deadline passes.
    private func waitFor(_ what: String, daemon: DaemonUnderTest, deadline: Date, _ done: () throws -> Bool) async throws {
        while try !done() {
            guard daemon.isRunning else { throw BenchError(message: "the daemon exited during \(what)") }
            guard Date() < deadline else { throw BenchError(message: "\(what) did not finish in time") }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
