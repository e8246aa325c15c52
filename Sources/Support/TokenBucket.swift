/// A token-bucket rate limit as a plain value: `rate` tokens per second, at most `burst` saved up. The clock is
/// passed in (`now`, seconds), so it is tested without waiting.
package struct TokenBucket: Sendable, Equatable {
    package let rate: Double
    package let burst: Double
    private var tokens: Double
    private var updatedAt: Double

    /// A full bucket at `now`; `burst` defaults to one second's worth (at least one token).
    package init(rate: Double, burst: Double? = nil, now: Double) {
        self.rate = rate
        self.burst = burst ?? max(1, rate)
        self.tokens = self.burst
        self.updatedAt = now
    }

    /// Takes one token if there is one (nil); otherwise takes nothing and returns the seconds until there will be
    /// one (infinite when the rate is zero).
    package mutating func take(now: Double) -> Double? {
        tokens = min(burst, tokens + max(0, now - updatedAt) * rate)
        updatedAt = now
        guard tokens >= 1 else { return rate > 0 ? (1 - tokens) / rate : .infinity }
        tokens -= 1
        return nil
    }

    /// Seconds until a token is available, without taking it (nil: one is available now).
    package func wait(now: Double) -> Double? {
        var copy = self
        return copy.take(now: now)
    }

    /// Whether the bucket has refilled completely by `now` (and can be forgotten).
    package func isFull(at now: Double) -> Bool {
        tokens + max(0, now - updatedAt) * rate >= burst
    }
}
