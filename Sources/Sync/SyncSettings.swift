import ChannelVocabulary

/// One configured channel as the worker sees it.
public struct ChannelEndpoint: Sendable {
    public var code: String
    public var channel: any Channel
    public var lane: LaneSettings
    /// What discovery compares to find listings (config `match`).
    public var match: ListingMatch

    public init(code: String, channel: any Channel, lane: LaneSettings = LaneSettings(), match: ListingMatch = .sku) {
        self.match = match
        self.code = code
        self.channel = channel
        self.lane = lane
    }
}

/// Timing of the daemon's periodic jobs.
public struct SyncSettings: Sendable {
    /// Seconds between sweeps for expired reservations (leader only).
    public var expiryInterval: Double
    /// Seconds between inbox scans when no notification arrives (leader only).
    public var inboxScanInterval: Double
    /// Seconds in-flight pushes may take to finish on shutdown.
    public var shutdownGrace: Double
    /// Seconds between leadership checks.
    public var leaderCheckInterval: Double
    public var pickupHold: Double
    public var orderHold: Double
    /// Seconds between looks for channel ids of new SKUs (leader only).
    public var discoveryInterval: Double
    /// Seconds between samples of outbox lag for the status page (leader only).
    public var lagSampleInterval: Double
    /// Attempts to apply an inbox event before it is set aside.
    public var inboxMaxAttempts: Int
    /// Seconds between the leader's looks for requested and due reconciles (when the daemon reconciles).
    public var reconcileCheckInterval: Double

    public init(
        expiryInterval: Double = 15, inboxScanInterval: Double = 5, shutdownGrace: Double = 10,
        leaderCheckInterval: Double = 2, pickupHold: Double = 7 * 86_400, orderHold: Double = 0,
        discoveryInterval: Double = 300, lagSampleInterval: Double = 15, inboxMaxAttempts: Int = 12,
        reconcileCheckInterval: Double = 5
    ) {
        self.reconcileCheckInterval = reconcileCheckInterval
        self.inboxMaxAttempts = inboxMaxAttempts
        self.discoveryInterval = discoveryInterval
        self.lagSampleInterval = lagSampleInterval
        self.expiryInterval = expiryInterval
        self.inboxScanInterval = inboxScanInterval
        self.shutdownGrace = shutdownGrace
        self.leaderCheckInterval = leaderCheckInterval
        self.pickupHold = pickupHold
        self.orderHold = orderHold
    }
}
