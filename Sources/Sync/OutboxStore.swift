import Foundation
import PostgresClient

/// The database side of pushing: claiming due targets and recording what happened to them.
///
/// Claims take a lease (they move `next_attempt_at` forward) instead of holding row locks across
/// HTTP calls: several replicas claim with `FOR UPDATE SKIP LOCKED` and never take the same row, and a
/// target whose pusher died becomes due again when its lease runs out.
public struct OutboxStore: Sendable {
    public let pool: PostgresPool
    /// Seconds a claim stays with its pusher.
    public var lease: Double
    /// The replica that claims (see `ReplicaRegistry`).
    public var replica: Int32

    public init(pool: PostgresPool, lease: Double = 60, replica: Int32 = 0) {
        self.pool = pool
        self.lease = lease
        self.replica = replica
    }

    /// Claims up to `limit` due targets of `channel` and computes each value from the ledger now.
    public func claimDue(channel: String, limit: Int) throws -> [PushTarget] {
        try pool.query(
            """
            WITH due AS (
                SELECT channel, sku, location_scope FROM outbox
                WHERE channel = $1 AND next_attempt_at <= now() AND NOT permanent_error
                  AND pushed_version IS DISTINCT FROM wanted_version
                ORDER BY next_attempt_at LIMIT $2
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE outbox o SET next_attempt_at = now() + make_interval(secs => $3::float8), claimed_by = $4
                FROM due
                WHERE o.channel = due.channel AND o.sku = due.sku AND o.location_scope = due.location_scope
                RETURNING o.sku, o.location_scope, o.wanted_version, o.pushed_value, o.attempts,
                    (SELECT external_id FROM listings l
                     WHERE l.channel = o.channel AND l.sku = o.sku AND l.location_scope IN (o.location_scope, '*')
                     ORDER BY l.location_scope = '*' LIMIT 1) AS external_id),
            wanted AS (
                SELECT v.* FROM (SELECT array_agg(sku) AS skus, array_agg(location_scope) AS scopes FROM claimed) AS targets,
                    channel_values($1, targets.skus, targets.scopes) AS v)
            SELECT c.sku, c.location_scope, c.wanted_version, c.pushed_value, c.attempts, w.value, c.external_id
            FROM claimed c LEFT JOIN wanted w ON w.sku = c.sku AND w.scope = c.location_scope
            """, [channel, limit, lease, replica]
        ) { rows in
            try rows.map { row in
                PushTarget(
                    channel: channel, sku: try row.decode(at: 0), scope: try row.decode(at: 1),
                    version: try row.decode(at: 2), value: try row.decode(Int?.self, at: 5) ?? 0,
                    pushedValue: try row.decode(Int?.self, at: 3), attempts: try row.decode(at: 4),
                    externalID: try row.decode(String?.self, at: 6))
            }
        }
    }

    /// Seconds until the next target of `channel` is due (nil when none is pending).
    public func secondsUntilNextDue(channel: String) throws -> Double? {
        try pool.query(
            """
            SELECT greatest(0, extract(epoch FROM min(next_attempt_at) - now()))::float8 FROM outbox
            WHERE channel = $1 AND NOT permanent_error AND pushed_version IS DISTINCT FROM wanted_version
            """, [channel]
        ) { try $0[0].decode(Double?.self, at: 0) }
    }

    /// Writes back the outcomes of one batch in one transaction.
    ///
    /// A pushed target records the version and value it carried; if the ledger moved on meanwhile
    /// (`wanted_version` grew), the row stays due and goes out again at once.
    public func record(_ records: [PushRecord]) throws {
        guard let channel = records.first.map(Self.target(of:))?.channel else { return }
        var pushed: [PushTarget] = []
        var failed: [(PushTarget, String, Double, Bool)] = []
        var conflicts: [(PushTarget, Int?)] = []
        for record in records {
            switch record {
            case .pushed(let target): pushed.append(target)
            case .failed(let target, let error, let delay, let permanent): failed.append((target, error, delay, permanent))
            case .conflict(let target, let current, let delay):
                conflicts.append((target, current))
                failed.append((target, "channel shows \(current.map(String.init) ?? "another value"), expected \(target.pushedValue.map(String.init) ?? "unknown")", delay, false))
            }
        }
        try pool.transaction { connection in
            if !pushed.isEmpty {
                try connection.query(
                    """
                    UPDATE outbox o SET pushed_version = greatest(COALESCE(o.pushed_version, 0), r.version),
                        pushed_value = r.value, attempts = 0, last_error = NULL, pushed_at = now(), next_attempt_at = now(),
                        claimed_by = NULL
                    FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[]) AS r(sku, scope, version, value)
                    WHERE o.channel = $1 AND o.sku = r.sku AND o.location_scope = r.scope
                    """,
                    [channel, pushed.map(\.sku), pushed.map(\.scope), pushed.map(\.version), pushed.map(\.value)])
            }
            if !failed.isEmpty {
                try connection.query(
                    """
                    UPDATE outbox o SET attempts = o.attempts + 1, last_error = left(r.error, 500),
                        permanent_error = r.permanent AND o.wanted_version = r.version,
                        next_attempt_at = now() + make_interval(secs => r.delay), claimed_by = NULL
                    FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::bool[], $7::bigint[])
                        AS r(sku, scope, error, delay, permanent, version)
                    WHERE o.channel = $1 AND o.sku = r.sku AND o.location_scope = r.scope
                    """,
                    [channel, failed.map(\.0.sku), failed.map(\.0.scope), failed.map(\.1), failed.map(\.2), failed.map(\.3),
                     failed.map(\.0.version)])
            }
            for (target, current) in conflicts {
                // The channel's value becomes the compare-and-set base for the next push (ledger wins).
                try connection.query(
                    "UPDATE outbox SET pushed_value = $4 WHERE channel = $1 AND sku = $2 AND location_scope = $3 AND $4::int IS NOT NULL",
                    [channel, target.sku, target.scope, current])
                try connection.query(
                    """
                    INSERT INTO conflicts (kind, channel, sku, location, detail, resolution, resolved_at)
                    VALUES ('drift', $1, $2, NULLIF($3, '*'), jsonb_build_object('channel_value', $4::int,
                            'last_pushed', $5::int, 'ledger_value', $6::int, 'version', $7::bigint), 'ledger wins: pushed again', now())
                    """, [channel, target.sku, target.scope, current, target.pushedValue, target.value, target.version])
            }
        }
    }

    private static func target(of record: PushRecord) -> PushTarget {
        switch record {
        case .pushed(let target), .failed(let target, _, _, _), .conflict(let target, _, _): target
        }
    }
}
