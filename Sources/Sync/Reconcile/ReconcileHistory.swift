import Foundation
import PostgresClient

/// The last finished (not dry) reconcile of one channel, as `omnistock status` shows it.
public struct LastReconcile: Codable, Sendable, Equatable {
    public var channel: String
    /// The run, or nil when the channel was never reconciled.
    public var runID: Int64?
    /// `completed` or `failed`.
    public var status: String?
    public var trigger: String?
    public var finishedAt: Date?
    /// The channel's part of the run's report.
    public var report: ChannelReconcileReport?
}

/// Reads reconcile history.
public enum ReconcileHistory {
    /// For every channel, its last finished reconcile (a run of that channel or of all channels).
    public static func lastPerChannel(from pool: PostgresPool) throws -> [LastReconcile] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try pool.query(
            """
            SELECT c.code, r.id, r.status, r.trigger, r.finished_at,
                   (SELECT part FROM jsonb_array_elements(r.report->'channels') AS part WHERE part->>'channel' = c.code LIMIT 1)::text
            FROM channels c
            LEFT JOIN LATERAL (
                SELECT * FROM reconcile_runs r
                WHERE (r.channel = c.code OR r.channel IS NULL) AND r.status IN ('completed', 'failed') AND NOT r.dry_run
                ORDER BY r.finished_at DESC NULLS LAST, r.id DESC LIMIT 1) AS r ON true
            ORDER BY c.code
            """
        ) { rows in
            try rows.map { row in
                LastReconcile(
                    channel: try row.decode(at: 0), runID: try row.decode(Int64?.self, at: 1), status: try row.decode(String?.self, at: 2),
                    trigger: try row.decode(String?.self, at: 3), finishedAt: try row.decode(Date?.self, at: 4),
                    report: try row.decode(String?.self, at: 5).map { try decoder.decode(ChannelReconcileReport.self, from: Data($0.utf8)) })
            }
        }
    }
}
