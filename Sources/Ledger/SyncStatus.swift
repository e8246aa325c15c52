import Foundation
import PostgresClient

/// The sync state of one channel, as `omnistock status` and the admin API show it.
package struct ChannelSyncStatus: Codable, Sendable, Equatable {
    package var channel: String
    package var kind: String
    /// Targets whose latest value has not reached the channel.
    package var pendingTargets: Int
    /// Seconds since the oldest of them changed (outbox lag).
    package var oldestPendingSeconds: Double?
    /// Targets refused for good until their value changes.
    package var permanentErrors: Int
    /// Targets retrying after failures.
    package var retrying: Int
    package var circuit: String
    package var consecutiveFailures: Int
    package var lastSuccessAt: Date?
    package var lastError: String?
    /// When the next retry is due, if any target is waiting.
    package var nextAttemptAt: Date?
}

/// The daemon's state at a glance.
package struct SyncStatusReport: Codable, Sendable, Equatable {
    package var channels: [ChannelSyncStatus]
    /// Webhook events stored but not yet applied.
    package var inboxBacklog: Int
    /// Webhook events that failed and wait for a retry.
    package var inboxFailed: Int
    /// Webhook events set aside after too many failed attempts: an operator must look at them.
    package var inboxSetAside: Int
    package var activeReservations: Int
    /// Open conflicts by kind.
    package var openConflicts: [String: Int]
    /// Per channel that needs listings: ledger SKUs without one, channel items (last catalogue read) without a SKU.
    package var unmatched: [UnmatchedCounts] = []
}

extension ChannelSyncStatus {
    /// The part of `status` that `omnistock status` shows.
    package init(_ status: ChannelStatus) {
        self.init(
            channel: status.code, kind: status.kind, pendingTargets: status.pending, oldestPendingSeconds: status.oldestPendingSeconds,
            permanentErrors: status.permanentErrors, retrying: status.retrying, circuit: status.circuit,
            consecutiveFailures: status.consecutiveFailures, lastSuccessAt: status.lastSuccessAt, lastError: status.lastError,
            nextAttemptAt: status.nextAttemptAt)
    }
}

/// Webhook events and reservations waiting, over all channels.
package struct BacklogCounts: Sendable, Equatable {
    package var inboxPending: Int
    package var inboxFailed: Int
    package var inboxSetAside: Int
    package var activeReservations: Int

    package static func read(on connection: PostgresConnection) throws -> BacklogCounts {
        let counts = try connection.query(
            """
            SELECT (SELECT count(*) FROM inbox WHERE status = 'pending'),
                   (SELECT count(*) FROM inbox WHERE status = 'failed'),
                   (SELECT count(*) FROM reservations WHERE status = 'active'),
                   (SELECT count(*) FROM inbox WHERE status = 'dead')
            """)[0]
        return BacklogCounts(
            inboxPending: try counts.decode(at: 0), inboxFailed: try counts.decode(at: 1), inboxSetAside: try counts.decode(at: 3),
            activeReservations: try counts.decode(at: 2))
    }
}

extension SyncStatusReport {
    /// Reads the report from the database.
    package static func read(from pool: PostgresPool) throws -> SyncStatusReport {
        try pool.withConnection { connection in
            let channels = try ChannelStatusQuery.read(on: connection).map(ChannelSyncStatus.init)
            let counts = try BacklogCounts.read(on: connection)
            return SyncStatusReport(
                channels: channels, inboxBacklog: counts.inboxPending, inboxFailed: counts.inboxFailed,
                inboxSetAside: counts.inboxSetAside, activeReservations: counts.activeReservations,
                openConflicts: try ConflictStore.openByKind(on: connection), unmatched: try Catalog.unmatchedCounts(on: connection))
        }
    }
}
