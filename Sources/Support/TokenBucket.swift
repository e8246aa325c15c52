/// A token-bucket rate limit: `rate` tokens per second, at most `burst` saved up.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var updatedAt: Double

    public init(rate: Double, burst: Double? = nil, now: Double) {
        self.rate = rate
        self.burst = burst ?? max(1, rate)
        self.tokens = self.burst
        self.updatedAt = now
    }

    /// Takes one token if there is one; otherwise returns the seconds until there will be.
    public mutating func take(now: Double) -> Double? {
        tokens = min(burst, tokens + (now - updatedAt) * rate)
        updatedAt = now
        guard tokens >= 1 else { return (1 - tokens) / rate }
        tokens -= 1
        return nil
    }
}

extension TokenBucket {
    /// Seconds until a token is available, without taking it (nil: one is available now).
    public func peekWait(now: Double) -> Double? {
        var copy = self
        return copy.take(now: now)
    }
}
