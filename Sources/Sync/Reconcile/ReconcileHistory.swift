import Foundation
import Ledger
import PostgresClient

/// The last finished (not dry) reconcile of one channel, as `omnistock status` shows it.
package struct LastReconcile: Codable, Sendable, Equatable {
    package var channel: String
    /// The run, or nil when the channel was never reconciled.
    package var runID: Int64?
    /// `completed` or `failed`.
    package var status: String?
    package var trigger: String?
    package var finishedAt: Date?
    /// The channel's part of the run's report.
    package var report: ChannelReconcileReport?
}

/// Reads reconcile history (the SQL is `ReconcileRunStore`'s).
package enum ReconcileHistory {
    /// For every channel, its last finished reconcile (a run of that channel or of all channels).
    package static func lastPerChannel(from pool: PostgresPool) throws -> [LastReconcile] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try ReconcileRunStore(pool: pool).lastFinishedPerChannel().map { run in
            LastReconcile(
                channel: run.channel, runID: run.runID, status: run.status, trigger: run.trigger, finishedAt: run.finishedAt,
                report: try run.channelReportJSON.map { try decoder.decode(ChannelReconcileReport.self, from: Data($0.utf8)) })
        }
    }
}
