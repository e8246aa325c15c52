import ChannelVocabulary
import Support
import Testing

@testable import Server

@Suite("token bucket")
struct TokenBucketTests {
    @Test("a burst, then one request per refill interval, with the wait rounded up")
    func bucket() {
        var bucket = TokenBucket(rate: 2, burst: 3, now: 100)
        #expect((0..<3).map { _ in bucket.take(now: 100) } == [nil, nil, nil])
        #expect(bucket.take(now: 100).map(RateLimiter.retryAfter) == 1)
        #expect(bucket.take(now: 100.5) == nil)
        #expect(bucket.take(now: 100.6).map(RateLimiter.retryAfter) == 1)
        #expect(!bucket.isFull(at: 101))
        #expect(bucket.isFull(at: 102.5))
    }

    @Test("a slow limit asks for a long wait")
    func slow() {
        var bucket = TokenBucket(rate: 0.1, burst: 1, now: 0)
        #expect(bucket.take(now: 0) == nil)
        #expect(bucket.take(now: 1).map(RateLimiter.retryAfter) == 9)
    }

    @Test("a limit that never refills asks for a minute, and no wait overflows")
    func never() {
        var bucket = TokenBucket(rate: 0, burst: 1, now: 0)
        #expect(bucket.take(now: 0) == nil)
        #expect(bucket.take(now: 1).map(RateLimiter.retryAfter) == 60)
        #expect(RateLimiter.retryAfter(1e300) == 86_400)
    }

    @Test("the limiter keeps one bucket per key")
    func perKey() throws {
        let limiter = RateLimiter(limit: RateLimit(perSecond: 1, burst: 1), clock: { 5 })
        try limiter.check("a")
        try limiter.check("b")
        #expect(throws: APIError.self) { try limiter.check("a") }
    }
}
