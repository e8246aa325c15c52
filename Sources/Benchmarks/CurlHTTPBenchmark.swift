import CurlHTTP

/// Measures ``CurlHTTPClient`` throughput and latency against one URL, with and without keep-alive.
/// Meant for `omnistock bench` against a local server; it asserts nothing.
package struct CurlHTTPBenchmark: Sendable {
    /// The figures of one run.
    package struct Result: Sendable, CustomStringConvertible {
        /// Whether connections were reused.
        package var keepAlive: Bool
        /// Requests that returned a response.
        package var completed: Int
        /// Requests that failed.
        package var failed: Int
        /// Wall time of the whole run.
        package var elapsed: Duration
        /// Completed requests per second.
        package var requestsPerSecond: Double
        /// Median latency.
        package var p50: Duration
        /// 99th percentile latency.
        package var p99: Duration

        /// One line: mode, requests/s, p50, p99, failures.
        package var description: String {
            let mode = keepAlive ? "keep-alive" : "new connection per request"
            let rate = (requestsPerSecond * 10).rounded() / 10
            return
                "\(mode): \(completed) requests, \(rate) req/s, p50 \(Self.milliseconds(p50)) ms, p99 \(Self.milliseconds(p99)) ms, \(failed) failed"
        }

        private static func milliseconds(_ duration: Duration) -> Double {
            let (seconds, attoseconds) = duration.components
            return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 100).rounded() / 100
        }
    }

    /// The URL requested with `GET`.
    package var url: String
    /// Requests per run.
    package var requests: Int
    /// Requests kept in flight at once.
    package var concurrency: Int

    /// Creates a benchmark.
    package init(url: String, requests: Int = 2000, concurrency: Int = 4) {
        self.url = url
        self.requests = requests
        self.concurrency = concurrency
    }

    /// Runs once with keep-alive and once opening a new connection per request (`CURLOPT_FORBID_REUSE`).
    package func run() async -> [Result] {
        [await run(keepAlive: true), await run(keepAlive: false)]
    }

    /// Runs `requests` requests with `concurrency` in flight and returns the figures.
    package func run(keepAlive: Bool) async -> Result {
        let client = CurlHTTPClient(configuration: HTTPClientConfiguration(reuseConnections: keepAlive))
        defer { client.shutdown() }
        let clock = ContinuousClock()
        let start = clock.now
        let perWorker = requests / max(concurrency, 1)
        let (latencies, failed) = await withTaskGroup(of: ([Duration], Int).self) { group in
            for _ in 0..<max(concurrency, 1) {
                group.addTask { [url] in
                    var latencies: [Duration] = []
                    var failed = 0
                    for _ in 0..<perWorker {
                        let sent = clock.now
                        do {
                            _ = try await client.execute(HTTPRequest(url: url))
                            latencies.append(clock.now - sent)
                        } catch {
                            failed += 1
                        }
                    }
                    return (latencies, failed)
                }
            }
            return await group.reduce(into: ([Duration](), 0)) { total, worker in
                total.0 += worker.0
                total.1 += worker.1
            }
        }
        let elapsed = clock.now - start
        let sorted = latencies.sorted()
        let seconds = elapsed / .seconds(1)
        return Result(
            keepAlive: keepAlive,
            completed: sorted.count,
            failed: failed,
            elapsed: elapsed,
            requestsPerSecond: seconds > 0 ? Double(sorted.count) / seconds : 0,
            p50: Self.percentile(sorted, 0.50),
            p99: Self.percentile(sorted, 0.99)
        )
    }

    private static func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        return sorted[max(index, 0)]
    }
}
