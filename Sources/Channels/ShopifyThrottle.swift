import Foundation
import Support
import Synchronization

/// What the adapter knows of its cost bucket at the shop, from the last `extensions.cost.throttleStatus`
/// (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): a leaky bucket of `maximum`
/// points refilled at `restoreRate` per second. A plain value with the clock passed in.
struct ShopifyBucketEstimate: Sendable, Hashable {
    /// `maximumAvailable`.
    var maximum: Double
    /// Points believed available at `time`.
    var available: Double
    /// `restoreRate`, points per second.
    var restoreRate: Double
    /// When `available` was true (seconds on a monotonic clock).
    var time: Double

    /// The estimate from a `throttleStatus` object seen at `now`, or nil when the object lacks a figure.
    init?(_ status: JSON, now: Double) {
        guard let maximum = status["maximumAvailable"].double, let available = status["currentlyAvailable"].double,
            let rate = status["restoreRate"].double, rate > 0
        else { return nil }
        self.maximum = maximum
        self.available = available
        self.restoreRate = rate
        time = now
    }

    /// Takes `cost` from the bucket and returns how many seconds to wait first (0 when it holds the cost now).
    /// The debt stays in the estimate, so a query sent meanwhile waits behind this one.
    mutating func reserve(_ cost: Int, now: Double) -> Double {
        available = min(maximum, available + max(0, now - time) * restoreRate) - Double(cost)
        time = now
        return available < 0 ? -available / restoreRate : 0
    }
}

/// The adapter's shared bucket estimate: every query reserves its requested cost before it is sent and
/// waits when the bucket will not hold it yet; every answer's `throttleStatus` replaces the estimate.
final class ShopifyThrottle: Sendable {
    private let estimate = Mutex<ShopifyBucketEstimate?>(nil)

    /// Seconds on the monotonic clock.
    static func now() -> Double { MonotonicClock.now() }

    /// Seconds to wait before sending a query of `cost` (0 before any answer was seen).
    func reserve(_ cost: Int) -> Double {
        estimate.withLock { $0?.reserve(cost, now: Self.now()) ?? 0 }
    }

    /// Takes the shop's figures from an answer's `extensions.cost`.
    func observe(_ cost: JSON) {
        guard let seen = ShopifyBucketEstimate(cost["throttleStatus"], now: Self.now()) else { return }
        estimate.withLock { $0 = seen }
    }
}
