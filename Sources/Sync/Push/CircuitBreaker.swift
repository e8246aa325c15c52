/// A per-channel circuit breaker as a plain state machine: opens after `failureThreshold`
/// consecutive failures, lets one trial through after `cooldown` (half-open), and closes on success.
package struct CircuitBreaker: Sendable, Equatable {
    package enum State: String, Sendable, Equatable {
        case closed, open
        case halfOpen = "half_open"
    }

    package private(set) var state: State = .closed
    package private(set) var consecutiveFailures = 0
    private var openedAt: Double = 0
    private var trialInFlight = false
    package let failureThreshold: Int
    package let cooldown: Double

    package init(failureThreshold: Int = 5, cooldown: Double = 30) {
        self.failureThreshold = failureThreshold
        self.cooldown = cooldown
    }

    /// Whether a request may go out at time `now` (seconds on any monotonic clock).
    package mutating func allowsRequest(now: Double) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard now - openedAt >= cooldown else { return false }
            state = .halfOpen
            trialInFlight = true
            return true
        case .halfOpen:
            guard !trialInFlight else { return false }
            trialInFlight = true
            return true
        }
    }

    /// Whether `allowsRequest(now:)` would say yes, without changing anything.
    package func wouldAllowRequest(now: Double) -> Bool {
        var copy = self
        return copy.allowsRequest(now: now)
    }

    /// When an open circuit will next let a trial through.
    package func reopensAt() -> Double? { state == .open ? openedAt + cooldown : nil }

    package mutating func recordSuccess() {
        state = .closed
        consecutiveFailures = 0
        trialInFlight = false
    }

    package mutating func recordFailure(now: Double) {
        consecutiveFailures += 1
        trialInFlight = false
        if state == .halfOpen || consecutiveFailures >= failureThreshold {
            state = .open
            openedAt = now
        }
    }
}
