import Foundation
import PostgresClient

/// One channel's sync state in full, as the one channel-status query reads it; `omnistock status`, the admin API
/// (`GET /v1/channels`), the `/metrics` gauges and the status page each show a part of it.
package struct ChannelStatus: Sendable, Equatable {
    package var code: String
    package var kind: String
    package var modelsLocations: Bool
    /// Targets whose latest value has not reached the channel (refused ones not counted).
    package var pending: Int
    /// Seconds since the oldest of them changed (outbox lag).
    package var oldestPendingSeconds: Double?
    /// Targets refused for good until their value changes.
    package var permanentErrors: Int
    /// Of those, the ones whose latest value has not reached the channel.
    package var permanentErrorsPending: Int
    /// Targets retrying after failures.
    package var retrying: Int
    /// When the next retry is due, if any target is waiting.
    package var nextAttemptAt: Date?
    package var circuit: String
    package var consecutiveFailures: Int
    package var lastSuccessAt: Date?
    package var lastFailureAt: Date?
    package var lastError: String?
    /// Webhook events of the channel stored but not yet applied, and failed ones waiting for a retry.
    package var inboxPending: Int
    package var inboxFailed: Int
}

/// The one channel-status query: `channels` with their outbox targets, `channel_state` and inbox events, by code.
package enum ChannelStatusQuery {
    package static func read(on connection: PostgresConnection) throws -> [ChannelStatus] {
        try connection.query(
            """
            SELECT c.code, c.kind, c.models_locations,
                   COALESCE(o.pending, 0), o.oldest_pending, COALESCE(o.permanent, 0), COALESCE(o.permanent_pending, 0),
                   COALESCE(o.retrying, 0), o.next_attempt_at,
                   COALESCE(s.circuit, 'closed'), COALESCE(s.consecutive_failures, 0), s.last_success_at, s.last_failure_at,
                   s.last_error, COALESCE(i.pending, 0), COALESCE(i.failed, 0)
            FROM channels c
            LEFT JOIN channel_state s ON s.channel = c.code
            LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE pushed_version IS DISTINCT FROM wanted_version AND NOT permanent_error) AS pending,
                       extract(epoch FROM now() - min(changed_at) FILTER (
                           WHERE pushed_version IS DISTINCT FROM wanted_version AND NOT permanent_error))::float8 AS oldest_pending,
                       count(*) FILTER (WHERE permanent_error) AS permanent,
                       count(*) FILTER (WHERE permanent_error AND pushed_version IS DISTINCT FROM wanted_version) AS permanent_pending,
                       count(*) FILTER (WHERE attempts > 0 AND NOT permanent_error) AS retrying,
                       min(next_attempt_at) FILTER (WHERE attempts > 0 AND NOT permanent_error) AS next_attempt_at
                FROM outbox WHERE channel = c.code) o ON true
            LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'failed') AS failed
                FROM inbox WHERE channel = c.code AND status IN ('pending', 'failed')) i ON true
            ORDER BY c.code
            """
        ).map { row in
            ChannelStatus(
                code: try row.decode(at: 0), kind: try row.decode(at: 1), modelsLocations: try row.decode(at: 2),
                pending: try row.decode(at: 3), oldestPendingSeconds: try row.decode(Double?.self, at: 4),
                permanentErrors: try row.decode(at: 5), permanentErrorsPending: try row.decode(at: 6), retrying: try row.decode(at: 7),
                nextAttemptAt: try row.decode(Date?.self, at: 8), circuit: try row.decode(at: 9), consecutiveFailures: try row.decode(at: 10),
                lastSuccessAt: try row.decode(Date?.self, at: 11), lastFailureAt: try row.decode(Date?.self, at: 12),
                lastError: try row.decode(String?.self, at: 13), inboxPending: try row.decode(at: 14), inboxFailed: try row.decode(at: 15))
        }
    }

    /// Reads on a connection of `pool`.
    package static func read(from pool: PostgresPool) throws -> [ChannelStatus] {
        try pool.withConnection(read(on:))
    }
}
