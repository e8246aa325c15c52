import ChannelSimulators
import Foundation
import Hummingbird
import Support
import Synchronization

/// An omnistock-json endpoint that only notes when each (SKU, version) arrived — the far end of the
/// propagation benchmark.
final class LatencyProbe: Sendable {
    struct Arrival: Sendable {
        var version: Int64
        var at: Double
    }

    private let server = LocalServer()
    private let arrivals = Mutex<[String: [Arrival]]>([:])
    private let received = Mutex(0)

    /// Starts on 127.0.0.1 and returns the base URL.
    func start() async throws -> String {
        let router = Router()
        router.put("/levels") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            let now = Self.now()
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            let levels = object?["levels"] as? [[String: Any]] ?? []
            self.received.withLock { $0 += levels.count }
            self.arrivals.withLock { arrivals in
                for level in levels {
                    guard let sku = level["sku"] as? String, let version = (level["version"] as? NSNumber)?.int64Value else { continue }
                    arrivals[sku, default: []].append(Arrival(version: version, at: now))
                }
            }
            return Response(status: .ok)
        }
        router.get("/ping") { _, _ in Response(status: .ok) }
        let port = try await server.start(router: router)
        return "http://127.0.0.1:\(port)"
    }

    func stop() async { await server.stop() }

    /// Levels received so far.
    var levelsReceived: Int { received.withLock { $0 } }

    /// When a version of `sku` at least `version` first arrived, if it has.
    func arrival(sku: String, atLeast version: Int64) -> Double? {
        arrivals.withLock { $0[sku]?.first { $0.version >= version }?.at }
    }

    static func now() -> Double { MonotonicClock.now() }
}
