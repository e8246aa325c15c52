import Benchmarks
import ChannelVocabulary
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("ingress benchmark")
struct IngressBenchmarkTests {
    /// Short by default; `OMNISTOCK_BENCH_SECONDS` lengthens each phase to measure for real.
    @Test("measures both phases without failures and leaves no events behind")
    func run() async throws {
        let seconds = Int(ProcessInfo.processInfo.environment["OMNISTOCK_BENCH_SECONDS"] ?? "") ?? 3
        let database = try TestDatabase.make(maxConnections: 8)
        let report = try await IngressBenchmark.run(pool: database.pool, duration: .seconds(seconds), concurrency: 16)
        print(report)
        #expect(report.trivial.completed > 0 && report.trivial.failed == 0)
        #expect(report.webhooks.completed > 0 && report.webhooks.failed == 0)
        #expect(try database.pool.query("SELECT count(*)::int FROM inbox") { try $0[0].decode(Int.self, at: 0) } == 0)
    }
}
