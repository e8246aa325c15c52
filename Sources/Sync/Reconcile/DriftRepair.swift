import PostgresClient

/// Ledger wins: drifted targets become due again with the channel's value as the last pushed one (the
/// compare-and-set base for channels that have one), and each is recorded as a resolved `drift` conflict.
enum DriftRepair {
    static func pushAgain(_ levels: [ComparedLevel], channel: String, run: ReconcileRun, on pool: PostgresPool) throws {
        try pool.transaction { connection in
            try connection.query(
                """
                WITH drifted AS (
                    SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[])
                        AS d(sku, scope, shown, wanted, pushed)),
                due AS (
                    INSERT INTO outbox AS o (channel, sku, location_scope, wanted_version, pushed_value)
                    SELECT $1, sku, scope, nextval('ledger_version_seq'), shown FROM drifted
                    ON CONFLICT (channel, sku, location_scope) DO UPDATE
                        SET pushed_version = NULL, pushed_value = EXCLUDED.pushed_value, next_attempt_at = now(),
                            permanent_error = false, attempts = 0)
                INSERT INTO conflicts (kind, channel, sku, location, detail, resolution, resolved_at)
                SELECT 'drift', $1, sku, NULLIF(scope, '*'),
                       jsonb_build_object('channel_value', shown, 'ledger_value', wanted, 'last_pushed', pushed,
                                          'source', 'reconcile', 'run', $7::bigint),
                       'ledger wins: pushed again', now()
                FROM drifted
                """,
                [channel, levels.map(\.sku), levels.map(\.scope), levels.map(\.shown), levels.map(\.wanted), levels.map(\.pushedValue), run.id])
            try connection.query("SELECT pg_notify('omnistock_outbox', '')")
        }
    }
}
