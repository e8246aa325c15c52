/// Exponential backoff with full jitter: the n-th retry waits a random time in `0…min(cap, base × 2ⁿ)`,
/// and never less than what the channel asked for with `Retry-After`.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double

    public init(base: Double = 0.5, cap: Double = 300) {
        self.base = base
        self.cap = cap
    }

    /// Seconds to wait before attempt `attempts + 1`; `random` draws from 0…1 (injectable for tests).
    public func delay(afterAttempts attempts: Int, retryAfter: Double? = nil, random: () -> Double = { Double.random(in: 0...1) }) -> Double {
        let ceiling = min(cap, base * Double(1 << min(max(attempts - 1, 0), 30)))
        let jittered = ceiling * random()
        return max(jittered, retryAfter ?? 0)
    }
}
