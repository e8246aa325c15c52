import Foundation
import Ledger
import PostgresClient

/// A reconcile run as `reconcile_runs` holds it.
public struct ReconcileRun: Sendable, Equatable {
    public var id: Int64
    /// One channel, or nil for all.
    public var channel: String?
    public var trigger: ReconcileTrigger
    public var dryRun: Bool
}

/// The `reconcile_runs` table: runs started here, runs requested through the API, and their reports.
struct ReconcileRunStore: Sendable {
    let pool: PostgresPool

    /// Records a run that starts now.
    func start(channel: String?, trigger: ReconcileTrigger, dryRun: Bool) throws -> ReconcileRun {
        let id = try pool.query(
            """
            INSERT INTO reconcile_runs (channel, trigger, dry_run, status, started_at)
            VALUES ($1, $2, $3, 'running', now()) RETURNING id
            """, [channel, trigger.rawValue, dryRun]
        ) { try $0[0].decode(Int64.self, at: 0) }
        return ReconcileRun(id: id, channel: channel, trigger: trigger, dryRun: dryRun)
    }

    /// Takes the oldest requested run (one replica only: `FOR UPDATE SKIP LOCKED`) and marks it running.
    func claimRequested() throws -> ReconcileRun? {
        try pool.query(
            """
            UPDATE reconcile_runs SET status = 'running', started_at = now()
            WHERE id = (SELECT id FROM reconcile_runs WHERE status = 'requested' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, channel, trigger, dry_run
            """
        ) { rows in
            try rows.first.map { row in
                ReconcileRun(
                    id: try row.decode(at: 0), channel: try row.decode(String?.self, at: 1),
                    trigger: ReconcileTrigger(rawValue: try row.decode(at: 2)) ?? .api, dryRun: try row.decode(at: 3))
            }
        }
    }

    /// Stores the report; the run is `failed` (with the channels' errors) when any channel failed.
    func finish(_ run: ReconcileRun, report: ReconcileReport) throws {
        let errors = report.channels.flatMap { channel in channel.errors.map { "\(channel.channel): \($0)" } }
        try pool.execute(
            """
            UPDATE reconcile_runs SET status = $2, finished_at = now(), report = $3::jsonb, error = $4 WHERE id = $1
            """, [run.id, errors.isEmpty ? "completed" : "failed", try Self.json(report), errors.isEmpty ? nil : errors.joined(separator: "; ")])
    }

    /// Marks a run failed when the engine itself could not finish it (database unreachable, say).
    func fail(_ run: ReconcileRun, error: String) throws {
        try pool.execute(
            "UPDATE reconcile_runs SET status = 'failed', finished_at = now(), error = left($2, 2000) WHERE id = $1", [run.id, error])
    }

    /// Seconds since the last scheduled run covering `channel` started, or nil if there never was one.
    /// Requested runs do not count; a run still going counts from its start.
    func secondsSinceScheduledRun(channel: String) throws -> Double? {
        try pool.query(
            """
            SELECT extract(epoch FROM now() - max(started_at))::float8 FROM reconcile_runs
            WHERE trigger = 'schedule' AND status <> 'requested' AND (channel = $1 OR channel IS NULL)
            """, [channel]
        ) { try $0[0].decode(Double?.self, at: 0) }
    }

    /// Unresolved conflicts of `channel` (all channels when nil) and of no channel.
    func openConflicts(channel: String?) throws -> Int {
        try ConflictStore.openCount(channel: channel, pool: pool)
    }

    /// The report as the API shows it: snake_case keys, ISO 8601 dates.
    static func json(_ report: ReconcileReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
