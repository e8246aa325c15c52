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

    @Test func circuitOpensAfterThresholdAndHalfOpensAfterCooldown() {
        var breaker = CircuitBreaker(failureThreshold: 3, cooldown: 10)
        for time in 0..<3 {
            #expect(breaker.allowsRequest(now: Double(time)))
            breaker.recordFailure(now: Double(time))
        }
        #expect(breaker.state == .open)
        #expect(!breaker.allowsRequest(now: 5))
        #expect(breaker.allowsRequest(now: 12.5), "one trial after the cool-down")
        #expect(breaker.state == .halfOpen)
        #expect(!breaker.allowsRequest(now: 12.6), "only one trial at a time")
        breaker.recordFailure(now: 13)
        #expect(breaker.state == .open, "a failed trial opens it again")
        #expect(breaker.allowsRequest(now: 23.1))
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test func tokenBucketLimitsTheRate() {
        var bucket = TokenBucket(rate: 2, burst: 2, now: 0)
        #expect(bucket.take(now: 0) == nil)
        #expect(bucket.take(now: 0) == nil)
        let wait = bucket.take(now: 0)
        #expect(wait == 0.5)
        #expect(bucket.take(now: 0.5) == nil, "refilled after half a second at 2/s")
    }
}
