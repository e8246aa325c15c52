import Foundation
import PostgresClient

/// The sync state of one channel, as `omnistock status` and the admin API show it.
public struct ChannelSyncStatus: Codable, Sendable, Equatable {
    public var channel: String
    public var kind: String
    /// Targets whose latest value has not reached the channel.
    public var pendingTargets: Int
    /// Seconds since the oldest of them changed (outbox lag).
    public var oldestPendingSeconds: Double?
    /// Targets refused for good until their value changes.
    public var permanentErrors: Int
    /// Targets retrying after failures.
    public var retrying: Int
    public var circuit: String
    public var consecutiveFailures: Int
    public var lastSuccessAt: Date?
    public var lastError: String?
    /// When the next retry is due, if any target is waiting.
    public var nextAttemptAt: Date?
}

/// The daemon's state at a glance.
public struct SyncStatusReport: Codable, Sendable, Equatable {
    public var channels: [ChannelSyncStatus]
    /// Webhook events stored but not yet applied.
    public var inboxBacklog: Int
    /// Webhook events that failed and wait for a retry.
    public var inboxFailed: Int
    /// Webhook events set aside after too many failed attempts: an operator must look at them.
    public var inboxSetAside: Int
    public var activeReservations: Int
    /// Open conflicts by kind.
    public var openConflicts: [String: Int]
    /// Per channel that needs listings: ledger SKUs without one, channel items (last catalogue read) without a SKU.
    public var unmatched: [UnmatchedCounts] = []
}

extension ChannelSyncStatus {
    /// The part of `status` that `omnistock status` shows.
    public init(_ status: ChannelStatus) {
        self.init(
            channel: status.code, kind: status.kind, pendingTargets: status.pending, oldestPendingSeconds: status.oldestPendingSeconds,
            permanentErrors: status.permanentErrors, retrying: status.retrying, circuit: status.circuit,
            consecutiveFailures: status.consecutiveFailures, lastSuccessAt: status.lastSuccessAt, lastError: status.lastError,
            nextAttemptAt: status.nextAttemptAt)
    }
}

/// Webhook events and reservations waiting, over all channels.
public struct BacklogCounts: Sendable, Equatable {
    public var inboxPending: Int
    public var inboxFailed: Int
    public var inboxSetAside: Int
    public var activeReservations: Int

    public static func read(on connection: PostgresConnection) throws -> BacklogCounts {
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
    public static func read(from pool: PostgresPool) throws -> SyncStatusReport {
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
