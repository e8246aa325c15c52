import Support

/// How one channel is pushed to.
package struct LaneSettings: Sendable {
    /// Levels per claim and request; nil: the channel's ``Channel/largestBatch``, which also caps a larger setting.
    package var batchSize: Int?
    /// Requests in flight at once for this channel.
    package var concurrency: Int
    /// Requests per second, if limited (nil: the channel's ``Channel/pushRequestRate``, if it has one).
    package var rateLimit: Double?
    package var backoff: Backoff
    package var circuitFailureThreshold: Int
    package var circuitCooldown: Double
    /// Longest wait between outbox scans when nothing wakes the lane.
    package var safetyScanInterval: Double
    /// Delay that gathers a burst of wake-ups into one claim.
    package var coalescingDelay: Double

    package init(
        batchSize: Int? = nil, concurrency: Int = 2, rateLimit: Double? = nil, backoff: Backoff = Backoff(),
        circuitFailureThreshold: Int = 5, circuitCooldown: Double = 30, safetyScanInterval: Double = 30,
        coalescingDelay: Double = 0.005
    ) {
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.rateLimit = rateLimit
        self.backoff = backoff
        self.circuitFailureThreshold = circuitFailureThreshold
        self.circuitCooldown = circuitCooldown
        self.safetyScanInterval = safetyScanInterval
        self.coalescingDelay = coalescingDelay
    }
}
