import Foundation
import Synchronization

/// Token buckets by key (an admin token, a channel code), safe to share between event loops.
/// Full buckets are forgotten once there are many keys, so the table stays small.
final class RateLimiter: Sendable {
    private let limit: RateLimit
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let clock: @Sendable () -> Double
    private static let compactAbove = 10_000

    init(limit: RateLimit, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.limit = limit
        self.clock = clock
    }

    /// Spends a token of `key`'s bucket, or throws `rate_limited` with the wait.
    func check(_ key: String) throws(APIError) {
        let now = clock()
        let decision = buckets.withLock { buckets in
            if buckets.count > Self.compactAbove {
                buckets = buckets.filter { !$0.value.isFull(at: now) }
            }
            var bucket = buckets[key] ?? TokenBucket(limit: limit, now: now)
            let decision = bucket.take(now: now)
            buckets[key] = bucket
            return decision
        }
        if case .limited(let seconds) = decision { throw .rateLimited(retryAfter: seconds) }
    }
}
