/// How a `GroupCommit` gathers requests (`[database] group_commit_window` and `group_commit_max`).
package struct GroupCommitSettings: Sendable, Equatable {
    /// Seconds a leader gathers while another batch is running; 0 turns group commit off (each request alone).
    package var window: Double
    /// The most requests in one batch.
    package var maxBatch: Int
    /// The most batches running at once, each on its own connection.
    package var maxInFlight: Int

    /// Defaults: a 1 ms window, 64 requests, two batches at once.
    package init(window: Double = 0.001, maxBatch: Int = 64, maxInFlight: Int = 2) {
        self.window = max(0, window)
        self.maxBatch = max(1, maxBatch)
        self.maxInFlight = max(1, maxInFlight)
    }

    /// Each request executed alone, as it comes.
    package static let off = GroupCommitSettings(window: 0, maxBatch: 1)

    /// Whether requests are executed alone.
    package var isOff: Bool { window <= 0 || maxBatch <= 1 }
}
