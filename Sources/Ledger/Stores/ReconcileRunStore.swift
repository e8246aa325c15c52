import Foundation
import PostgresClient

/// Who asked for a reconcile run (the `trigger` column of `reconcile_runs`).
package enum ReconcileTrigger: String, Codable, Sendable {
    /// The leader's periodic run.
    case schedule
    /// `POST /v1/reconcile`.
    case api
    /// `omnistock reconcile`.
    case cli
}

/// A reconcile run as `reconcile_runs` holds it.
package struct ReconcileRun: Sendable, Equatable {
    package var id: Int64
    /// One channel, or nil for all.
    package var channel: String?
    package var trigger: ReconcileTrigger
    package var dryRun: Bool
}

/// The `reconcile_runs` table: runs started here, runs requested through the API, and their reports.
package struct ReconcileRunStore: Sendable {
    package let pool: PostgresPool

    package init(pool: PostgresPool) { self.pool = pool }

    /// Records a run that starts now.
    package func start(channel: String?, trigger: ReconcileTrigger, dryRun: Bool) throws -> ReconcileRun {
        let id = try pool.query(
            """
            INSERT INTO reconcile_runs (channel, trigger, dry_run, status, started_at)
            VALUES ($1, $2, $3, 'running', now()) RETURNING id
            """, [channel, trigger.rawValue, dryRun]
        ) { try $0[0].decode(Int64.self, at: 0) }
        return ReconcileRun(id: id, channel: channel, trigger: trigger, dryRun: dryRun)
    }

    /// Takes the oldest requested run (one replica only: `FOR UPDATE SKIP LOCKED`) and marks it running.
    package func claimRequested() throws -> ReconcileRun? {
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

    /// Stores the report (JSON); the run is `failed`, with `errors`, when there are any.
    package func finish(_ run: ReconcileRun, reportJSON: String, errors: [String]) throws {
        try pool.execute(
            """
            UPDATE reconcile_runs SET status = $2, finished_at = now(), report = $3::jsonb, error = $4 WHERE id = $1
            """, [run.id, errors.isEmpty ? "completed" : "failed", reportJSON, errors.isEmpty ? nil : errors.joined(separator: "; ")])
    }

    /// Marks a run failed when the engine itself could not finish it (database unreachable, say).
    package func fail(_ run: ReconcileRun, error: String) throws {
        try pool.execute(
            "UPDATE reconcile_runs SET status = 'failed', finished_at = now(), error = left($2, 2000) WHERE id = $1", [run.id, error])
    }

    /// Seconds since the last scheduled run covering `channel` started, or nil if there never was one.
    /// Requested runs do not count; a run still going counts from its start.
    package func secondsSinceScheduledRun(channel: String) throws -> Double? {
        try pool.query(
            """
            SELECT extract(epoch FROM now() - max(started_at))::float8 FROM reconcile_runs
            WHERE trigger = 'schedule' AND status <> 'requested' AND (channel = $1 OR channel IS NULL)
            """, [channel]
        ) { try $0[0].decode(Double?.self, at: 0) }
    }

    /// Unresolved conflicts of `channel` (all channels when nil) and of no channel.
    package func openConflicts(channel: String?) throws -> Int {
        try ConflictStore.openCount(channel: channel, pool: pool)
    }

    /// Records a run requested through the API (`requested`, for the leader to claim) and wakes the leader after
    /// the commit (a lost wake-up only waits for the leader's next tick); nil when `channel` is unknown.
    package func request(channel: String?, dryRun: Bool) throws -> Int64? {
        let id: Int64? = try pool.transaction { connection in
            if let channel, try connection.query("SELECT 1 FROM channels WHERE code = $1", [channel]).count == 0 { return nil }
            return try connection.query(
                "INSERT INTO reconcile_runs (channel, trigger, dry_run) VALUES ($1, 'api', $2) RETURNING id", [channel, dryRun]
            )[0].decode(Int64.self, at: 0)
        }
        if let id { try? WakeAfterCommit.send(.reconcile, payload: String(id), pool: pool) }
        return id
    }

    /// Run `id` as `GET /v1/reconcile/{id}` shows it (JSON), or nil when there is none.
    package func runJSON(id: Int64) throws -> String? {
        try pool.query(
            """
            SELECT json_build_object('id', id, 'channel', channel, 'trigger', trigger, 'dry_run', dry_run, 'status', status,
                'requested_at', requested_at, 'started_at', started_at, 'finished_at', finished_at, 'report', report, 'error', error)
            FROM reconcile_runs WHERE id = $1
            """, [id]
        ) { try $0.first?.decode(String?.self, at: 0) }
    }

    /// For every channel, its last finished (not dry) run — of that channel or of all channels — with the
    /// channel's part of the report (JSON); nil fields when it was never reconciled.
    package func lastFinishedPerChannel() throws -> [LastRun] {
        try pool.query(
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
                LastRun(
                    channel: try row.decode(at: 0), runID: try row.decode(Int64?.self, at: 1), status: try row.decode(String?.self, at: 2),
                    trigger: try row.decode(String?.self, at: 3), finishedAt: try row.decode(Date?.self, at: 4),
                    channelReportJSON: try row.decode(String?.self, at: 5))
            }
        }
    }

    /// One channel's last finished run, as `lastFinishedPerChannel` reads it.
    package struct LastRun: Sendable {
        package var channel: String
        package var runID: Int64?
        package var status: String?
        package var trigger: String?
        package var finishedAt: Date?
        package var channelReportJSON: String?
    }
}
