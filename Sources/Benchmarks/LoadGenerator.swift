import CurlHTTP
import Synchronization

/// Keeps `concurrency` requests in flight against the server for a while and measures each one.
/// Connections are kept alive, as a channel's delivery workers would.
struct LoadGenerator: Sendable {
    let client: CurlHTTPClient
    let concurrency: Int

    /// Sends the request `make(n)` (n counts up from 0 across all workers) until `duration` has passed.
    func run(for duration: Duration, _ make: @escaping @Sendable (Int) -> HTTPRequest) async -> IngressBenchmark.Phase.Samples {
        let deadline = ContinuousClock.now + duration
        let counter = Counter()
        let started = ContinuousClock.now
        var samples = await withTaskGroup(of: IngressBenchmark.Phase.Samples.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var local = IngressBenchmark.Phase.Samples()
                    while ContinuousClock.now < deadline {
                        let request = make(counter.next())
                        let sent = ContinuousClock.now
                        let status = (try? await client.execute(request))?.status ?? 0
                        local.record(ContinuousClock.now - sent, ok: status == 200)
                    }
                    return local
                }
            }
            return await group.reduce(into: IngressBenchmark.Phase.Samples()) { $0.merge($1) }
        }
        samples.elapsed = ContinuousClock.now - started
        return samples
    }
}

/// A shared request counter.
private final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}
