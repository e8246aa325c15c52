import Channels
import CurlHTTP
import Foundation
import Ledger
import Logging
import OmnistockDaemon
import PostgresClient
import Sync

/// Latency from ledger commit to receipt at a local endpoint, at a steady change rate, and pushes per change.
struct PropagationBench {
    struct Result {
        var p50: Double
        var p99: Double
        var max: Double
        var pushesPerChange: Double
        var changes: Int
    }

    let pool: PostgresPool
    let ledger: StockLedger
    let location: String

    func run(rate: Double, seconds: Double, hotSKUs: Int) async throws -> Result {
        let probe = LatencyProbe()
        let url = try await probe.start()
        let catalog = Catalog(pool: pool)
        try catalog.upsertChannel(
            ChannelDefinition(
                code: "bench-probe", kind: "omnistock-json", modelsLocations: true, locations: [location]
            ).declaring(OmnistockJSONChannel.capabilities))
        let channel = OmnistockJSONChannel(configuration: OmnistockJSONConfiguration(baseURL: url, token: "bench"), client: CurlHTTPClient())
        let worker = Daemon(
            pool: pool, ledger: ledger, endpoints: [ChannelEndpoint(code: "bench-probe", channel: channel, lane: LaneSettings(concurrency: 4))],
            logger: Logger(label: "omnistock.bench"))
        worker.start()
        // Let the initial push of the catalogue's targets finish before measuring.
        while try pool.query(
            "SELECT count(*) FROM outbox WHERE channel = 'bench-probe' AND pushed_version IS DISTINCT FROM wanted_version", [],
            { try $0[0].decode(Int.self, at: 0) }) > 0
        {
            try await Task.sleep(for: .milliseconds(200))
        }
        let baseline = probe.levelsReceived
        let total = Int(rate * seconds)
        var commits: [(sku: String, version: Int64, at: Double)] = []
        commits.reserveCapacity(total)
        let start = LatencyProbe.now()
        for index in 0..<total {
            let due = start + Double(index) / rate
            let wait = due - LatencyProbe.now()
            if wait > 0 { try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9))) }
            let sku = BenchCatalog.sku(index % hotSKUs)
            let change = try ledger.receive(sku: sku, location: location, quantity: 1, key: "prop-\(index)-\(UUID().uuidString.prefix(6))")
            commits.append((sku, change.levels[0].version, LatencyProbe.now()))
        }
        // Wait for the last changes to arrive.
        let deadline = LatencyProbe.now() + 30
        while LatencyProbe.now() < deadline, commits.contains(where: { probe.arrival(sku: $0.sku, atLeast: $0.version) == nil }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        await worker.stop()
        await probe.stop()
        let latencies = commits.compactMap { commit in probe.arrival(sku: commit.sku, atLeast: commit.version).map { max(0, $0 - commit.at) } }
            .sorted()
        guard !latencies.isEmpty else { throw BenchError(message: "no change reached the endpoint") }
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        return Result(
            p50: percentile(0.5), p99: percentile(0.99), max: latencies.last!,
            pushesPerChange: Double(probe.levelsReceived - baseline) / Double(total), changes: total)
    }
}
