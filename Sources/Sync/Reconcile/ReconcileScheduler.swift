import Ledger
import PostgresClient

/// Decides which channels are due for their periodic reconcile: those whose last scheduled run
/// (for the channel, or for all channels) started longer than `interval` seconds ago, or never ran.
package struct ReconcileScheduler: Sendable {
    let runs: ReconcileRunStore
    /// Seconds between scheduled runs of one channel (`sync.reconcile_interval`).
    package let interval: Double

    package init(pool: PostgresPool, interval: Double) {
        self.runs = ReconcileRunStore(pool: pool)
        self.interval = interval
    }

    /// Whether `channel` is due.
    package func isDue(channel: String) throws -> Bool {
        guard let since = try runs.secondsSinceScheduledRun(channel: channel) else { return true }
        return since >= interval
    }

    /// The channels of `codes` that are due, in the given order.
    package func dueChannels(_ codes: [String]) throws -> [String] {
        try codes.filter { try isDue(channel: $0) }
    }
}
