import ChannelVocabulary
import Support
import Sync
import Testing

@Suite struct PolicyTests {
    @Test func backoffGrowsExponentiallyWithFullJitterAndACap() {
        let backoff = Backoff(base: 1, cap: 10)
        #expect(backoff.delay(afterAttempts: 1, random: { 1 }) == 1)
        #expect(backoff.delay(afterAttempts: 3, random: { 1 }) == 4)
        #expect(backoff.delay(afterAttempts: 30, random: { 1 }) == 10, "capped")
        #expect(backoff.delay(afterAttempts: 3, random: { 0.5 }) == 2, "jitter scales the whole range")
        #expect(backoff.delay(afterAttempts: 1, retryAfter: 7, random: { 0 }) == 7, "Retry-After is a floor")
    }

    @Test func backoffWithoutJitterWaitsTheCeilingItself() {
        let reconnect = Backoff(base: 0.1, cap: 5, jitter: .none)
        #expect((1...8).map { reconnect.delay(afterAttempts: $0, random: { 0 }) } == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5])
    }

    @Test func circuitOpensAfterThresholdAndHalfOpensAfterCooldown() {
        var breaker = CircuitBreaker(failureThreshold: 3, cooldown: 10)
        var allowed: [Bool] = []
        for time in 0..<3 {
            allowed.append(breaker.allowsRequest(now: Double(time)))
            breaker.recordFailure(now: Double(time))
        }
        #expect(allowed == [true, true, true])
        #expect(breaker.state == .open)
        allowed = [
            breaker.allowsRequest(now: 5),  // still cooling down
            breaker.allowsRequest(now: 12.5),  // one trial after the cool-down
        ]
        #expect(allowed == [false, true])
        #expect(breaker.state == .halfOpen)
        let second = breaker.allowsRequest(now: 12.6)
        #expect(!second, "only one trial at a time")
        breaker.recordFailure(now: 13)
        #expect(breaker.state == .open, "a failed trial opens it again")
        let trial = breaker.allowsRequest(now: 23.1)
        #expect(trial)
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test func tokenBucketLimitsTheRate() {
        var bucket = TokenBucket(rate: 2, burst: 2, now: 0)
        let waits = [bucket.take(now: 0), bucket.take(now: 0), bucket.take(now: 0), bucket.take(now: 0.5)]
        #expect(waits == [nil, nil, 0.5, nil], "two at once, then one per half second at 2/s")
    }
}
