import Support
import Synchronization

/// Token buckets by key (an admin token, a channel code), safe to share between event loops.
/// Full buckets are forgotten once there are many keys, so the table stays small.
final class RateLimiter: Sendable {
    private let limit: RateLimit
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let clock: @Sendable () -> Double
    private static let compactAbove = 10_000

    init(limit: RateLimit, clock: @escaping @Sendable () -> Double = MonotonicClock.now) {
        self.limit = limit
        self.clock = clock
    }

    /// Spends a token of `key`'s bucket, or throws `rate_limited` with the wait.
    func check(_ key: String) throws(APIError) {
        let now = clock()
        let wait = buckets.withLock { buckets in
            if buckets.count > Self.compactAbove {
                buckets = buckets.filter { !$0.value.isFull(at: now) }
            }
            var bucket = buckets[key] ?? TokenBucket(rate: limit.perSecond, burst: Double(limit.burst), now: now)
            let wait = bucket.take(now: now)
            buckets[key] = bucket
            return wait
        }
        if let wait { throw .rateLimited(retryAfter: Self.retryAfter(wait)) }
    }

    /// A bucket's wait as `Retry-After`: whole seconds, rounded up, at least 1; 60 when the bucket never refills,
    /// and at most a day.
    static func retryAfter(_ wait: Double) -> Int {
        guard wait.isFinite else { return 60 }
        return max(1, Int(min(wait, 86_400).rounded(.up)))
    }
}
