/// How a `GroupCommit` gathers requests (`[database] group_commit_window` and `group_commit_max`).
package struct GroupCommitSettings: Sendable, Equatable {
    /// Seconds a leader gathers while another batch is running; 0 turns group commit off (each request alone).
    package var window: Double
    /// The most requests in one batch.
    package var maxBatch: Int
    /// The most batches running at once, each on its own connection.
    package var maxInFlight: Int
    /// Seconds without a new request after which a leader stops gathering early (`GroupCommit`): the clients a finished
    /// batch answered come back within tens of microseconds, and once they have, waiting longer only idles them.
    /// With 8 clients, 150 µs instead of waiting out the window or the running batch gave 0.29–0.33× `pgbench -N`
    /// against 0.26–0.30× (`omnistock bench --only writes`, four alternated pairs).
    package var quietGap: Double

    /// Defaults: a 1 ms window, 64 requests, two batches at once, a 150 µs quiet gap.
    package init(window: Double = 0.001, maxBatch: Int = 64, maxInFlight: Int = 2, quietGap: Double = 0.000_15) {
        self.window = max(0, window)
        self.maxBatch = max(1, maxBatch)
        self.maxInFlight = max(1, maxInFlight)
        self.quietGap = max(0, quietGap)
    }

    /// Each request executed alone, as it comes.
    package static let off = GroupCommitSettings(window: 0, maxBatch: 1)

    /// Whether requests are executed alone.
    package var isOff: Bool { window <= 0 || maxBatch <= 1 }
}
