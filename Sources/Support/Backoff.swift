/// Exponential backoff: the n-th retry waits up to `min(cap, base × 2ⁿ⁻¹)` — a random time in that range with
/// full jitter, or exactly that without — and never less than what the other side asked for (`Retry-After`).
package struct Backoff: Sendable, Equatable {
    /// How the wait is drawn from its range.
    package enum Jitter: Sendable, Equatable {
        /// Anywhere in `0…ceiling`: retries of many clients spread out.
        case full
        /// The ceiling itself: one client retrying one thing (a reconnect).
        case none
    }

    package var base: Double
    package var cap: Double
    package var jitter: Jitter

    package init(base: Double = 0.5, cap: Double = 300, jitter: Jitter = .full) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// Seconds to wait before attempt `attempts + 1`; `random` draws from 0…1 (injectable for tests).
    package func delay(afterAttempts attempts: Int, retryAfter: Double? = nil, random: () -> Double = { Double.random(in: 0...1) }) -> Double {
        let ceiling = min(cap, base * Double(1 << min(max(attempts - 1, 0), 30)))
        let drawn = jitter == .full ? ceiling * random() : ceiling
        return max(drawn, retryAfter ?? 0)
    }
}
