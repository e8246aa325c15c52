import ChannelSimulators
import Channels
import CurlHTTP
import PostgresClient
import Sync

/// A full reconcile of the catalogue against three store endpoints (local omnistock-json simulators),
/// one level in a hundred drifted by hand.
enum ReconcileBench {
    static let channels = 3

    static func run(pool: PostgresPool, skus: Int) async throws -> ReconcileBenchmarkResult {
        let client = CurlHTTPClient()
        var simulators: [OmnistockJSONSimulator] = []
        var endpoints: [ChannelEndpoint] = []
        for index in 1...channels {
            let simulator = try await BenchEndpoint.start()
            simulators.append(simulator)
            let configuration = OmnistockJSONConfiguration(
                baseURL: simulator.baseURL, token: BenchEndpoint.token, batchSize: 1000, pageSize: 5000)
            endpoints.append(
                ChannelEndpoint(code: "bench-reconcile-\(index)", channel: OmnistockJSONChannel(configuration: configuration, client: client)))
        }
        let outcome: Result<ReconcileBenchmarkResult, any Error>
        do {
            outcome = .success(try await ReconcileBenchmark.run(pool: pool, endpoints: endpoints, skus: skus))
        } catch {
            outcome = .failure(error)
        }
        for simulator in simulators { await simulator.stop() }
        let result = try outcome.get()
        guard result.items == skus * channels else {
            throw BenchError(message: "reconcile compared \(result.items) levels, expected \(skus * channels)")
        }
        return result
    }
}
