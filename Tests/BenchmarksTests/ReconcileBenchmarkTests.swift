import Benchmarks
import ChannelSimulators
import ChannelVocabulary
import Channels
import CurlHTTP
import Foundation
import Sync
import TestSupport
import Testing

@Suite struct ReconcileBenchmarkTests {
    /// Reconciles N SKUs × 3 store endpoints (N from `OMNISTOCK_RECONCILE_BENCH_SKUS`, 3,000 by default).
    @Test func reconcilesEveryLevelOfThreeChannels() async throws {
        let skus = ProcessInfo.processInfo.environment["OMNISTOCK_RECONCILE_BENCH_SKUS"].flatMap { Int($0) } ?? 3_000
        let database = try TestDatabase.make(maxConnections: 12)
        let client = CurlHTTPClient()
        var simulators: [OmnistockJSONSimulator] = []
        var endpoints: [ChannelEndpoint] = []
        for index in 1...3 {
            let simulator = OmnistockJSONSimulator(token: "bench", webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            _ = try await simulator.start()
            simulators.append(simulator)
            let channel = OmnistockJSONChannel(
                configuration: OmnistockJSONConfiguration(baseURL: simulator.baseURL, token: "bench", batchSize: 1000, pageSize: 5000),
                client: client)
            endpoints.append(ChannelEndpoint(code: "bench-\(index)", channel: channel))
        }
        let result = try await ReconcileBenchmark.run(pool: database.pool, endpoints: endpoints, skus: skus)
        print(
            "reconcile benchmark: \(result.skus) SKUs × \(result.channels) channels, \(result.items) levels in "
                + String(
                    format: "%.1f s (%.0f levels/s), peak RSS %.0f MiB", result.seconds, result.itemsPerSecond,
                    Double(result.peakRSSBytes ?? 0) / 1_048_576))
        #expect(result.items == skus * 3)
        #expect(result.drift == 3 * ((skus + 99) / 100))
        for simulator in simulators { await simulator.stop() }
    }
}
