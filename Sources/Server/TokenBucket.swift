/// A token bucket as a plain value: `take` spends one token if there is one, refilling at the
/// limit's rate since the last call. The clock is passed in, so it is tested without waiting.
struct TokenBucket: Sendable, Equatable {
    /// The answer to one request.
    enum Decision: Sendable, Equatable {
        case allowed
        /// Refused; a token will be there in this many whole seconds (at least 1).
        case limited(retryAfter: Int)
    }

    let limit: RateLimit
    private(set) var tokens: Double
    private(set) var updatedAt: Double

    /// A full bucket at time `now` (seconds).
    init(limit: RateLimit, now: Double) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.updatedAt = now
    }

    mutating func take(now: Double) -> Decision {
        let elapsed = max(0, now - updatedAt)
        tokens = min(Double(limit.burst), tokens + elapsed * limit.perSecond)
        updatedAt = now
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        let wait = limit.perSecond > 0 ? (1 - tokens) / limit.perSecond : 60
        return .limited(retryAfter: max(1, Int(wait.rounded(.up))))
    }

    /// Whether the bucket has refilled completely by `now` (and can be forgotten).
    func isFull(at now: Double) -> Bool {
        tokens + max(0, now - updatedAt) * limit.perSecond >= Double(limit.burst)
    }
}
