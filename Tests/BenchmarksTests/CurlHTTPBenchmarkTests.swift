import Benchmarks
import ChannelSimulators
import ChannelVocabulary
import CurlHTTP
import Glibc
import Hummingbird
import Testing

@Suite("CurlHTTPBenchmark")
struct CurlHTTPBenchmarkTests {
    /// A local server answering `GET /hello`.
    struct HelloServer {
        let server: LocalServer
        let baseURL: String

        static func start() async throws -> HelloServer {
            let router = Router()
            router.get("/hello") { _, _ in "hello" }
            let server = LocalServer()
            let port = try await server.start(router: router)
            return HelloServer(server: server, baseURL: "http://127.0.0.1:\(port)")
        }

        func stop() async { await server.stop() }
    }

    @Test("a short run completes every request in both modes")
    func shortRun() async throws {
        let server = try await HelloServer.start()
        let results = await CurlHTTPBenchmark(url: "\(server.baseURL)/hello", requests: 40, concurrency: 2).run()
        #expect(results.map(\.keepAlive) == [true, false])
        #expect(results.map(\.completed) == [40, 40])
        await server.stop()
    }

    @Test("full benchmark (set OMNISTOCK_BENCH=1 to run and print the figures)", .enabled(if: getenv("OMNISTOCK_BENCH") != nil))
    func fullRun() async throws {
        let server = try await HelloServer.start()
        for result in await CurlHTTPBenchmark(url: "\(server.baseURL)/hello", requests: 5000, concurrency: 4).run() {
            print("CurlHTTPBenchmark \(result)")
        }
        await server.stop()
    }
}
