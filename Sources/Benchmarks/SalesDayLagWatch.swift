import ChannelVocabulary
import Foundation
import PostgresClient
import Synchronization

/// Watches, from outside, how long each channel's view differs from what the ledger wants it to show: every
/// `interval` (half a second: the reads cost the database too, and the watch must not make the lag it measures) it reads every SKU's value at each channel (as a buyer sees it) and the ledger's `channel_values`,
/// and times each stretch of disagreement — push queue, rate limits, the channel's own delay in showing a write,
/// and the channel's own sales not yet known to the ledger, all included.
final class LagWatch: Sendable {
    private struct State {
        var since: [String: Double] = [:]
        var lags: [SalesDayCounter: [Double]] = [:]
    }

    let pool: PostgresPool
    let shops: [SalesDayShop]
    let skus: [String]
    let interval: Double
    private let state = Mutex(State())

    init(pool: PostgresPool, shops: [SalesDayShop], skus: [String], interval: Double = 0.5) {
        self.pool = pool
        self.shops = shops
        self.skus = skus
        self.interval = interval
    }

    /// Samples until cancelled.
    func run() async {
        while !Task.isCancelled {
            for shop in shops {
                let scope = type(of: shop.channel).capabilities.modelsLocations ? shop.location : "*"
                guard
                    let wanted = try? pool.query(
                        "SELECT sku, value FROM channel_values($1, $2::text[], array_fill($3::text, ARRAY[$4::int]))",
                        [shop.code, skus, scope, skus.count],
                        { rows in try rows.reduce(into: [String: Int]()) { $0[try $1.decode(String.self, at: 0)] = try $1.decode(Int.self, at: 1) } })
                else { continue }
                let now = LatencyProbe.now()
                state.withLock { state in
                    for sku in skus {
                        let key = shop.code + "|" + sku
                        if shop.shows(sku) != (wanted[sku] ?? 0) {
                            if state.since[key] == nil { state.since[key] = now }
                        } else if let since = state.since.removeValue(forKey: key) {
                            state.lags[shop.counter, default: []].append(now - since)
                        }
                    }
                }
            }
            try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }

    /// The stretches that ended, each channel's sorted, and how many were still open (a view that never caught up).
    func finish() -> (lags: [SalesDayCounter: [Double]], open: Int) {
        state.withLock { state in (state.lags.mapValues { $0.sorted() }, state.since.count) }
    }
}
