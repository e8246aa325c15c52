import CurlHTTP
import Glibc
import Testing

@Suite("CurlHTTPBenchmark")
struct BenchmarkTests {
    @Test("a short run completes every request in both modes")
    func shortRun() async throws {
        let server = try await TestServer.start()
        let results = await CurlHTTPBenchmark(url: "\(server.baseURL)/hello", requests: 40, concurrency: 2).run()
        #expect(results.map(\.keepAlive) == [true, false])
        #expect(results.map(\.completed) == [40, 40])
        await server.stop()
    }

    @Test("full benchmark (set OMNISTOCK_BENCH=1 to run and print the figures)", .enabled(if: getenv("OMNISTOCK_BENCH") != nil))
    func fullRun() async throws {
        let server = try await TestServer.start()
        for result in await CurlHTTPBenchmark(url: "\(server.baseURL)/hello", requests: 5000, concurrency: 4).run() {
            print("CurlHTTPBenchmark \(result)")
        }
        await server.stop()
    }
}
