import PostgresClient

extension OutboxStore {
    /// Marks due the pushed targets whose lag-aware hold changed since their push (README "What a channel shows"):
    /// a hold depends on recent demand, which ages out of the window without any change to the SKU, so without
    /// this a held-back unit would stay hidden until the SKU next changes. Reads only targets pushed with a hold
    /// (`outbox_held_back`); wakes the lanes when it marked any. Returns how many it marked.
    package static func refreshHeldBack(pool: PostgresPool) throws -> Int {
        let marked = try pool.transaction { connection in
            try connection.query(
                """
                WITH held AS (
                    SELECT o.channel, array_agg(o.sku ORDER BY o.sku, o.location_scope) AS skus,
                           array_agg(o.location_scope ORDER BY o.sku, o.location_scope) AS scopes
                    FROM outbox o JOIN channels c ON c.code = o.channel
                    WHERE o.held_back > 0 AND o.pushed_version = o.wanted_version AND c.buffer_mode = 'lag_aware'
                    GROUP BY o.channel),
                changed AS (
                    SELECT held.channel, v.sku, v.scope
                    FROM held CROSS JOIN LATERAL channel_values(held.channel, held.skus, held.scopes) AS v
                    JOIN outbox o ON o.channel = held.channel AND o.sku = v.sku AND o.location_scope = v.scope
                    WHERE v.value IS DISTINCT FROM o.pushed_value)
                UPDATE outbox o SET wanted_version = nextval('ledger_version_seq'), changed_at = clock_timestamp(), next_attempt_at = now()
                FROM changed
                WHERE o.channel = changed.channel AND o.sku = changed.sku AND o.location_scope = changed.scope
                """
            ).affectedRows
        }
        if marked > 0 { try? WakeAfterCommit.send(.outbox, pool: pool) }
        return marked
    }
}
