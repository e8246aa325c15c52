import Foundation
import PostgresClient

/// The `outbox` table: one row per channel target (channel, SKU, location scope), the version the ledger wants
/// there and what was pushed. Every write of the table from Swift is a method here; the only other writers are the
/// triggers `levels_enqueue_push_on_insert` and `…_on_update` (function `enqueue_levels_push`, migration 20), which
/// mark the targets fed by the levels a statement changed due, in the ledger transaction that changed them. Whoever
/// marks targets due wakes the push lanes after the commit (`WakeAfterCommit`, `WakeChannel.outbox`).
///
/// Claims take a lease (they move `next_attempt_at` forward) instead of holding row locks across
/// HTTP calls: several replicas claim with `FOR UPDATE SKIP LOCKED` and never take the same row, and a
/// target whose pusher died becomes due again when its lease runs out.
package struct OutboxStore: Sendable {
    package let pool: PostgresPool
    /// Seconds a claim stays with its pusher.
    package var lease: Double
    /// The replica that claims (see `ReplicaRegistry`).
    package var replica: Int32

    package init(pool: PostgresPool, lease: Double = 60, replica: Int32 = 0) {
        self.pool = pool
        self.lease = lease
        self.replica = replica
    }

    /// Claims up to `limit` due targets of `channel` and computes each value from the ledger now.
    ///
    /// Decreases first (DESIGN.md §7): targets whose value fell since their last push are claimed before any
    /// other due target, and come first in the batch; the rest fill the batch in due order. A late decrease
    /// oversells; a late increase only delays a sale.
    ///
    /// Claim and values are separate statements: under READ COMMITTED the claim's row locks see a target's newest version
    /// even when its writer committed after the statement's snapshot was taken, while every other read of that
    /// statement sees the older snapshot. Values and listings read in the same statement could therefore be
    /// older than the version they are recorded under — a stale value marked as pushed, or a listing found by
    /// discovery missed and the target refused for good. The values statement's snapshot is taken after the
    /// claims, so it includes every write up to the versions claimed. All three run in one transaction: if the
    /// database goes away before the values are read, no lease is taken (it would hold the targets for `lease`).
    package func claimDue(channel: String, limit: Int) throws -> [PushTarget] {
        try pool.transaction { connection in
            var claimed = try claim(channel: channel, limit: limit, fallingOnly: true, on: connection)
            if claimed.count < limit {
                // The falling targets just claimed are no longer due (their lease moved them on), so none comes twice.
                claimed += try claim(channel: channel, limit: limit - claimed.count, fallingOnly: false, on: connection)
            }
            guard !claimed.isEmpty else { return [] }
            var current: [TargetKey: ClaimedValue] = [:]
            for row in try connection.query(
                """
                SELECT t.sku, t.scope, v.value,
                    (SELECT external_id FROM listings l
                     WHERE l.channel = $1 AND l.sku = t.sku AND l.location_scope IN (t.scope, '*')
                     ORDER BY l.location_scope = '*' LIMIT 1),
                    v.held_back, u.last_written, u.carried, extract(epoch FROM u.counted_from)::float8, u.counted
                FROM unnest($2::text[], $3::text[]) AS t(sku, scope)
                LEFT JOIN channel_value_parts($1, $2::text[], $3::text[]) AS v ON v.sku = t.sku AND v.scope = t.scope
                LEFT JOIN unseen_sales_state($1, $2::text[], $3::text[]) AS u ON u.sku = t.sku AND u.scope = t.scope
                """, [channel, claimed.map(\.sku), claimed.map(\.scope)])
            {
                let (lastWritten, carried) = (try row.decode(Int?.self, at: 5), try row.decode(Int?.self, at: 6))
                let (countedFrom, counted) = (try row.decode(Double?.self, at: 7), try row.decode(Int64?.self, at: 8))
                current[TargetKey(sku: try row.decode(at: 0), scope: try row.decode(at: 1))] = ClaimedValue(
                    value: try row.decode(Int?.self, at: 2) ?? 0, externalID: try row.decode(String?.self, at: 3),
                    heldBack: try row.decode(Int?.self, at: 4) ?? 0,
                    unseenCarry: lastWritten.flatMap { written in carried.map { PushTarget.UnseenCarry(lastWritten: written, carried: $0) } },
                    ordersCounted: countedFrom.flatMap { from in counted.map { PushTarget.OrdersCount(from: from, units: $0) } })
            }
            return claimed.map { target in
                var target = target
                let now = current[TargetKey(sku: target.sku, scope: target.scope)]
                target.value = now?.value ?? 0
                target.externalID = now?.externalID
                target.heldBack = now?.heldBack ?? 0
                target.unseenCarry = now?.unseenCarry
                target.ordersCounted = now?.ordersCounted
                return target
            }
        }
    }

    /// What the values statement read for one claimed target.
    private struct ClaimedValue {
        var value: Int
        var externalID: String?
        var heldBack: Int
        var unseenCarry: PushTarget.UnseenCarry?
        var ordersCounted: PushTarget.OrdersCount?
    }

    /// One claim statement: due targets in due order, only those whose value fell since their last push if `fallingOnly`
    /// (the partial index `outbox_falling_due` finds them without walking a backlog of increases).
    private func claim(channel: String, limit: Int, fallingOnly: Bool, on connection: PostgresConnection) throws -> [PushTarget] {
        try connection.query(
            """
            WITH due AS (
                SELECT channel, sku, location_scope FROM outbox
                WHERE channel = $1 AND next_attempt_at <= now() AND NOT permanent_error
                  AND pushed_version IS DISTINCT FROM wanted_version
                  \(fallingOnly ? "AND decreased_version > COALESCE(pushed_version, 0)" : "")
                ORDER BY next_attempt_at LIMIT $2
                FOR UPDATE SKIP LOCKED)
            UPDATE outbox o SET next_attempt_at = now() + make_interval(secs => $3::float8), claimed_by = $4
            FROM due
            WHERE o.channel = due.channel AND o.sku = due.sku AND o.location_scope = due.location_scope
            RETURNING o.sku, o.location_scope, o.wanted_version, o.pushed_value, o.attempts
            """, [channel, limit, lease, replica]
        ).map { row in
            PushTarget(
                channel: channel, sku: try row.decode(at: 0), scope: try row.decode(at: 1), version: try row.decode(at: 2),
                value: 0, pushedValue: try row.decode(Int?.self, at: 3), attempts: try row.decode(at: 4), externalID: nil)
        }
    }

    /// Hands back this replica's claims of `channel` except the targets in `keeping` (due at once); returns how many.
    /// For a claim whose commit was in doubt: the lane does not know which targets it leased.
    package func releaseClaims(channel: String, keeping: [PushTarget]) throws -> Int {
        try pool.execute(
            """
            UPDATE outbox SET claimed_by = NULL, next_attempt_at = now()
            WHERE channel = $1 AND claimed_by = $2
              AND (sku, location_scope) NOT IN (SELECT * FROM unnest($3::text[], $4::text[]))
            """, [channel, replica, keeping.map(\.sku), keeping.map(\.scope)])
    }

    /// Seconds until the next target of `channel` is due (nil when none is pending).
    package func secondsUntilNextDue(channel: String) throws -> Double? {
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
    /// (`wanted_version` grew), the row stays due and goes out again at once. A result recorded late (held
    /// while the database was away) never replaces the value of a newer push already recorded.
    package func record(_ records: [PushRecord]) throws {
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
                failed.append(
                    (
                        target,
                        "channel shows \(current.map(String.init) ?? "another value"), expected \(target.pushedValue.map(String.init) ?? "unknown")",
                        delay, false
                    ))
            }
        }
        try pool.transaction { connection in
            if !pushed.isEmpty {
                // The decreases among them measure the channel's propagation (what lag-aware buffers read):
                // from the change that marked the target due to its push recorded, averaged, smoothed over batches.
                try connection.query(
                    """
                    WITH pushed AS (
                        UPDATE outbox o SET pushed_version = greatest(COALESCE(o.pushed_version, 0), r.version),
                            pushed_value = CASE WHEN r.version >= COALESCE(o.pushed_version, 0) THEN r.value ELSE o.pushed_value END, attempts = 0, last_error = NULL, pushed_at = now(), next_attempt_at = now(),
                            claimed_by = NULL,
                            held_back = CASE WHEN r.version >= COALESCE(o.pushed_version, 0) THEN r.held_back ELSE o.held_back END,
                            written_value = CASE WHEN r.version >= COALESCE(o.pushed_version, 0) THEN greatest(0, r.value - r.unseen) ELSE o.written_value END,
                            unseen_sales = CASE WHEN r.version >= COALESCE(o.pushed_version, 0) THEN r.unseen ELSE o.unseen_sales END,
                            orders_counted_from = CASE WHEN r.version >= COALESCE(o.pushed_version, 0) THEN to_timestamp(r.counted_from) ELSE o.orders_counted_from END,
                            orders_counted = CASE WHEN r.version >= COALESCE(o.pushed_version, 0) THEN r.counted ELSE o.orders_counted END
                        FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[], $6::bool[], $7::int[], $8::int[], $9::float8[], $10::bigint[])
                            AS r(sku, scope, version, value, fell, held_back, unseen, counted_from, counted)
                        WHERE o.channel = $1 AND o.sku = r.sku AND o.location_scope = r.scope
                        RETURNING r.fell, greatest(0, extract(epoch FROM clock_timestamp() - o.changed_at))::float8 AS seconds),
                    measured AS (SELECT avg(seconds) AS seconds FROM pushed WHERE fell HAVING count(*) > 0)
                    INSERT INTO channel_state AS s (channel, propagation_seconds) SELECT $1, seconds FROM measured
                    ON CONFLICT (channel) DO UPDATE SET \(ChannelLag.smoothing("propagation_seconds"))
                    """,
                    [
                        channel, pushed.map(\.sku), pushed.map(\.scope), pushed.map(\.version), pushed.map(\.value),
                        pushed.map { target in target.pushedValue.map { target.value < $0 } ?? false }, pushed.map(\.heldBack),
                        pushed.map { $0.unseenSales ?? 0 }, pushed.map(\.ordersCounted?.from), pushed.map(\.ordersCounted?.units),
                    ])
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
                    [
                        channel, failed.map(\.0.sku), failed.map(\.0.scope), failed.map(\.1), failed.map(\.2), failed.map(\.3),
                        failed.map(\.0.version),
                    ])
            }
            for (target, current) in conflicts {
                // The channel's value becomes the compare-and-set base for the next push (ledger wins).
                try connection.query(
                    "UPDATE outbox SET pushed_value = $4 WHERE channel = $1 AND sku = $2 AND location_scope = $3 AND $4::int IS NOT NULL",
                    [channel, target.sku, target.scope, current])
                try ConflictStore.record(
                    .drift, channel: channel, sku: target.sku, location: target.scope == "*" ? nil : target.scope,
                    detail: ["channel_value": current, "last_pushed": target.pushedValue, "ledger_value": target.value, "version": target.version],
                    resolution: "ledger wins: pushed again", on: connection)
            }
        }
    }

    private struct TargetKey: Hashable {
        let sku: String
        let scope: String
    }

    private static func target(of record: PushRecord) -> PushTarget {
        switch record {
        case .pushed(let target), .failed(let target, _, _, _), .conflict(let target, _, _): target
        }
    }
}

// MARK: - Marking targets due

extension OutboxStore {
    /// Marks due every target fed by the given channel, location or SKUs (all when none is given), with a new version.
    package static func markDue(
        channel: String? = nil, location: String? = nil, skus: [String]? = nil, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version)
            SELECT channel, sku, scope, nextval('ledger_version_seq')
            FROM (SELECT DISTINCT c.code AS channel, t.sku,
                         CASE WHEN c.models_locations THEN cl.location ELSE '*' END AS scope
                  FROM channels c
                  JOIN channel_locations cl ON cl.channel = c.code
                  JOIN (SELECT sku, location FROM levels
                        UNION SELECT b.bundle_sku, l.location
                              FROM bundle_components b JOIN levels l ON l.sku = b.component_sku) t
                    ON t.location = cl.location
                  WHERE ($1::text IS NULL OR c.code = $1) AND ($2::text IS NULL OR cl.location = $2)
                    AND ($3::text[] IS NULL OR t.sku = ANY ($3))) AS targets
            ON CONFLICT (channel, sku, location_scope) DO UPDATE
                SET wanted_version = EXCLUDED.wanted_version, changed_at = clock_timestamp(),
                    permanent_error = false, next_attempt_at = now()
            """, [channel, location, skus])
    }

    /// Deletes `channel`'s per-location targets when it no longer models locations (its targets are then pooled, `*`).
    package static func dropLocationTargets(channel: String, modelsLocations: Bool, on connection: PostgresConnection) throws {
        try connection.query(
            "DELETE FROM outbox WHERE channel = $1 AND location_scope <> '*' AND NOT $2", [channel, modelsLocations])
    }

    /// Gives the targets of (channels[i], skus[i]) a new version, so they are pushed to the listing now in force.
    package static func pushAgain(channels: [String], skus: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE outbox o SET wanted_version = nextval('ledger_version_seq'), permanent_error = false, attempts = 0,
                next_attempt_at = now(), changed_at = clock_timestamp()
            FROM unnest($1::text[], $2::text[]) AS t(channel, sku)
            WHERE o.channel = t.channel AND o.sku = t.sku
            """, [channels, skus])
    }

    /// Gives `channel`'s targets of `skus` a new version, for listings discovery just found: a new version, not just a
    /// cleared flag, so a push in flight without the listing does not mark the target refused after this.
    package static func renewVersions(channel: String, skus: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE outbox SET wanted_version = nextval('ledger_version_seq'), permanent_error = false,
                attempts = 0, next_attempt_at = now()
            WHERE channel = $1 AND sku = ANY ($2::text[])
            """, [channel, skus])
    }

    /// Makes the targets (channel, skus[i], scopes[i]) due with a new version and no push on record, so the next push
    /// goes out whatever the channel was last told (untracked listings: the push turns the channel's tracking on).
    package static func pushAgainForgettingPushed(channel: String, skus: [String], scopes: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE outbox o SET wanted_version = nextval('ledger_version_seq'), pushed_version = NULL,
                next_attempt_at = now(), permanent_error = false, attempts = 0
            FROM unnest($2::text[], $3::text[]) AS u(sku, scope) WHERE o.channel = $1 AND o.sku = u.sku AND o.location_scope = u.scope
            """, [channel, skus, scopes])
    }

    /// Ledger wins over drift that reconcile found: the targets (channel, skus[i], scopes[i]) become due with the value
    /// the channel showed as the last pushed one (the compare-and-set base for channels that have one) and as the last
    /// written one, with no unseen sales carried (a seller's own edit is not a sale).
    package static func pushAgain(
        channel: String, skus: [String], scopes: [String], channelValues: [Int], on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, pushed_value, written_value)
            SELECT $1, sku, scope, nextval('ledger_version_seq'), shown, shown
            FROM unnest($2::text[], $3::text[], $4::int[]) AS d(sku, scope, shown)
            ON CONFLICT (channel, sku, location_scope) DO UPDATE
                SET pushed_version = NULL, pushed_value = EXCLUDED.pushed_value, next_attempt_at = now(),
                    permanent_error = false, attempts = 0,
                    written_value = EXCLUDED.written_value, unseen_sales = 0, orders_counted_from = NULL, orders_counted = NULL
            """, [channel, skus, scopes, channelValues])
    }

    /// Ledger wins over drift a channel reported (a webhook): the target becomes due with the channel's value as the
    /// last pushed and last written one, no unseen sales carried; false when that value was already on record
    /// (nothing changed).
    package static func pushAgain(
        channel: String, sku: String, scope: String, channelValue: Int, on connection: PostgresConnection
    ) throws -> Bool {
        try connection.query(
            """
            UPDATE outbox SET pushed_version = NULL, pushed_value = $4, next_attempt_at = now(), permanent_error = false,
                written_value = $4, unseen_sales = 0, orders_counted_from = NULL, orders_counted = NULL
            WHERE channel = $1 AND sku = $2 AND location_scope = $3 AND pushed_value IS DISTINCT FROM $4
            """, [channel, sku, scope, channelValue]
        ).affectedRows > 0
    }

    /// Makes the targets of `sku` in `scope` on every channel due again, as if never pushed (a store's pickup shortfall).
    package static func pushAgain(sku: String, scope: String, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE outbox SET pushed_version = NULL, next_attempt_at = now(), permanent_error = false
            WHERE sku = $1 AND location_scope = $2
            """, [sku, scope])
    }

    /// Records every target of `channel` as pushed at its wanted version with `value` (benchmarks: the channel already
    /// shows what the ledger says).
    package static func markAllPushed(channel: String, value: Int, pool: PostgresPool) throws {
        try pool.execute("UPDATE outbox SET pushed_version = wanted_version, pushed_value = $2 WHERE channel = $1", [channel, value])
    }

    /// Records every target of `channel` as pushed at its wanted version with the value the ledger gives it now
    /// (benchmarks: an outbox that says every value was pushed).
    package static func markAllPushedAtLedgerValues(channel: String, pool: PostgresPool) throws {
        try pool.execute(
            """
            UPDATE outbox o SET pushed_version = o.wanted_version, pushed_value = v.value
            FROM (SELECT array_agg(sku) AS skus, array_agg(location_scope) AS scopes FROM outbox WHERE channel = $1) AS targets,
                 channel_values($1, targets.skus, targets.scopes) AS v
            WHERE o.channel = $1 AND o.sku = v.sku AND o.location_scope = v.scope
            """, [channel])
    }

    /// Makes the targets claimed by replicas that hold no liveness lock (the advisory locks of class
    /// `replicaLockClass`) due again at once; returns how many.
    package static func releaseClaimsOfDeadReplicas(replicaLockClass: Int32, on connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            UPDATE outbox SET claimed_by = NULL, next_attempt_at = now()
            WHERE claimed_by IS NOT NULL AND claimed_by::bigint NOT IN (\(liveReplicas))
            """, [replicaLockClass]
        ).affectedRows
    }

    /// The ids of replicas alive in this database: the second key of each granted advisory lock of class `$1`.
    package static let liveReplicas = """
        SELECT objid::bigint FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::int::oid
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """
}

// MARK: - Reading

/// A value recently pushed to a channel, as the status page lists it.
package struct RecentPush: Sendable, Equatable {
    package var channel: String
    package var sku: String
    package var scope: String
    package var value: Int?
    package var at: Date
}

extension OutboxStore {
    /// How many targets `channel` has.
    package static func targetCount(channel: String, pool: PostgresPool) throws -> Int {
        try pool.query("SELECT count(*) FROM outbox WHERE channel = $1", [channel]) { try $0[0].decode(Int.self, at: 0) }
    }

    /// The last `limit` pushes, newest first.
    package static func recentPushes(limit: Int, pool: PostgresPool) throws -> [RecentPush] {
        try pool.query(
            "SELECT channel, sku, location_scope, pushed_value, pushed_at FROM outbox WHERE pushed_at IS NOT NULL ORDER BY pushed_at DESC LIMIT $1",
            [limit]
        ) { rows in
            try rows.map {
                RecentPush(
                    channel: try $0.decode(at: 0), sku: try $0.decode(at: 1), scope: try $0.decode(at: 2),
                    value: try $0.decode(Int?.self, at: 3), at: try $0.decode(at: 4))
            }
        }
    }
}
