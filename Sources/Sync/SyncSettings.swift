import ChannelVocabulary
import Ledger

/// One configured channel as the worker sees it.
package struct ChannelEndpoint: Sendable {
    package var code: String
    package var channel: any Channel
    package var lane: LaneSettings
    /// What discovery compares to find listings (config `match`).
    package var match: ListingMatch

    package init(code: String, channel: any Channel, lane: LaneSettings = LaneSettings(), match: ListingMatch = .sku) {
        self.match = match
        self.code = code
        self.channel = channel
        self.lane = lane
    }
}

/// Timing of the daemon's periodic jobs.
package struct SyncSettings: Sendable {
    /// Seconds between sweeps for expired reservations (leader only).
    package var expiryInterval: Double
    /// Seconds between inbox scans when no notification arrives (leader only).
    package var inboxScanInterval: Double
    /// Seconds in-flight pushes may take to finish on shutdown.
    package var shutdownGrace: Double
    /// Seconds between leadership checks.
    package var leaderCheckInterval: Double
    package var pickupHold: Double
    package var orderHold: Double
    /// Seconds between looks for channel ids of new SKUs (leader only).
    package var discoveryInterval: Double
    /// Seconds between samples of outbox lag for the status page (leader only).
    package var lagSampleInterval: Double
    /// Attempts to apply an inbox event before it is set aside.
    package var inboxMaxAttempts: Int
    /// Seconds between the leader's looks for requested and due reconciles (when the daemon reconciles).
    package var reconcileCheckInterval: Double
    /// Seconds between the leader's reads of the orders of channels that poll them (``ChannelCapabilities/pollsOrders``);
    /// nil: only reconcile reads them.
    package var orderPollInterval: Double?
    /// Seconds between the leader's looks for lag-aware holds that ran out (``OutboxStore/refreshHeldBack(pool:)``).
    package var holdRefreshInterval: Double
    /// What the leader's retention job keeps and how often it runs (seconds); nil: no retention job.
    package var retention: (policy: RetentionPolicy, interval: Double)?

    package init(
        expiryInterval: Double = 15, inboxScanInterval: Double = 5, shutdownGrace: Double = 10,
        leaderCheckInterval: Double = 2, pickupHold: Double = 7 * 86_400, orderHold: Double = 0,
        discoveryInterval: Double = 300, lagSampleInterval: Double = 15, inboxMaxAttempts: Int = 12,
        reconcileCheckInterval: Double = 5, orderPollInterval: Double? = nil, holdRefreshInterval: Double = 30,
        retention: (policy: RetentionPolicy, interval: Double)? = nil
    ) {
        self.holdRefreshInterval = holdRefreshInterval
        self.retention = retention
        self.orderPollInterval = orderPollInterval
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
