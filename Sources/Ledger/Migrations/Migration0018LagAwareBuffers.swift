extension Migration {
    /// Lag-aware buffers and the last-units policy (issue 17, README "What a channel shows").
    ///
    /// - `channels.buffer_mode = 'lag_aware'` holds back, for SKUs at or below `low_stock` units, the units expected
    ///   to sell before a change reaches the channel: the 90th percentile (at most `lag_cap`) of a Poisson count whose
    ///   mean is `(demand × lag + own demand × own lag) ÷ lag_window`, where demand is what other channels,
    ///   walk-ins and API reservations took from the channel's locations in the last `lag_window`, own demand what
    ///   the channel's own orders took, own lag its propagation, `visibility_delay` and its own order feed delay (an
    ///   absolute write overwrites the channel's sales it did not know of, and those made before it shows), and lag is
    ///   the channel's measured propagation (`channel_state.propagation_seconds`, kept by the push lanes), its
    ///   configured `visibility_delay` and the slowest order feed among the channels sharing its stock
    ///   (`order_feed_seconds`, kept as orders are applied): a sale there is unknown here that long.
    /// - `channels.last_units = N`: when a SKU's pool falls to N units or fewer, the channel shows 0 if another
    ///   channel selling from the same stock has a higher `priority`.
    /// - `channel_value_parts` computes every step of a value (`omnistock stock` prints them); `channel_values`
    ///   is its last column, so the two cannot disagree.
    /// - `outbox.held_back` keeps what the last push held back, so that a hold is pushed again as its demand ages out
    ///   of the window (`OutboxStore.refreshHeldBack`) instead of hiding units until the SKU next changes.
    /// - `movements_by_level` gains `created_at`, so that the recent demand of one level is an index range.
    static let lagAwareBuffers = Migration(
        version: 18, name: "lag_aware_buffers",
        sql: #"""
            ALTER TABLE channels
                ADD COLUMN buffer_mode text NOT NULL DEFAULT 'static' CHECK (buffer_mode IN ('static', 'lag_aware')),
                ADD COLUMN lag_window_seconds float8 NOT NULL DEFAULT 900 CHECK (lag_window_seconds >= 1 AND lag_window_seconds <= 604800),
                ADD COLUMN lag_cap integer NOT NULL DEFAULT 5 CHECK (lag_cap >= 0),
                ADD COLUMN low_stock integer NOT NULL DEFAULT 10 CHECK (low_stock >= 0),
                ADD COLUMN visibility_delay_seconds float8 NOT NULL DEFAULT 0
                    CHECK (visibility_delay_seconds >= 0 AND visibility_delay_seconds <= 86400),
                ADD COLUMN last_units integer CHECK (last_units >= 0),
                ADD COLUMN priority integer NOT NULL DEFAULT 0;

            ALTER TABLE channel_state
                ADD COLUMN propagation_seconds float8 CHECK (propagation_seconds >= 0 AND propagation_seconds < 'Infinity'),
                ADD COLUMN order_feed_seconds float8 CHECK (order_feed_seconds >= 0 AND order_feed_seconds < 'Infinity');

            -- What a lag-aware buffer held back at the last push: the holds to push again as they run out.
            ALTER TABLE outbox ADD COLUMN held_back integer NOT NULL DEFAULT 0 CHECK (held_back >= 0);
            CREATE INDEX outbox_held_back ON outbox (channel) WHERE held_back > 0;

            CREATE INDEX movements_by_level_time ON movements (sku, location, created_at);
            DROP INDEX movements_by_level;
            ALTER INDEX movements_by_level_time RENAME TO movements_by_level;

            -- Every step from the ledger's units to the value a channel shows, for a set of targets.
            CREATE FUNCTION channel_value_parts(p_channel text, p_skus text[], p_scopes text[])
            RETURNS TABLE (sku text, scope text, units int, pickup_units int, demand int, own_demand int, lag_seconds float8,
                           expected float8, held_back int, last_units_cut boolean, value int)
            LANGUAGE sql STABLE AS $$
                WITH channel AS (
                    -- The lag: a change's way to the channel and the slowest order feed of a channel sharing its stock.
                    SELECT c.*, COALESCE(s.propagation_seconds, 0) + c.visibility_delay_seconds + COALESCE(s.order_feed_seconds, 0) AS own_lag,
                           COALESCE(s.propagation_seconds, 0) + c.visibility_delay_seconds + COALESCE((
                               SELECT max(other.order_feed_seconds)
                               FROM channel_locations mine
                               JOIN channel_locations theirs ON theirs.location = mine.location AND theirs.channel <> mine.channel
                               JOIN channel_state other ON other.channel = theirs.channel
                               WHERE mine.channel = c.code), 0) AS lag
                    FROM channels c LEFT JOIN channel_state s ON s.channel = c.code WHERE c.code = p_channel),
                targets AS (
                    SELECT DISTINCT t.sku, t.scope FROM unnest(p_skus, p_scopes) AS t(sku, scope)),
                parts AS (
                    SELECT t.sku, t.scope, COALESCE(b.component_sku, t.sku) AS part, COALESCE(b.quantity, 1) AS per_unit
                    FROM targets t LEFT JOIN bundle_components b ON b.bundle_sku = t.sku),
                part_units AS (
                    SELECT p.sku, p.scope, p.part, p.per_unit,
                           COALESCE(sum(greatest(0, l.on_hand - l.reserved)), 0) AS units,
                           COALESCE(sum(recent.elsewhere), 0) AS demand, COALESCE(sum(recent.own), 0) AS own_demand
                    FROM parts p
                    CROSS JOIN channel c
                    LEFT JOIN LATERAL (
                        SELECT p.scope AS location WHERE p.scope <> '*'
                        UNION ALL
                        SELECT cl.location FROM channel_locations cl WHERE p.scope = '*' AND cl.channel = p_channel
                    ) AS source ON true
                    LEFT JOIN levels l ON l.sku = p.part AND l.location = source.location
                    LEFT JOIN LATERAL (
                        -- Units taken here lately (lag-aware channels only): by other channels, walk-ins and API
                        -- reservations, and by the channel itself.
                        SELECT sum(CASE WHEN m.reason = 'sale' THEN -m.delta ELSE m.reserved_delta END)
                                   FILTER (WHERE m.reason = 'sale' OR r.channel IS DISTINCT FROM p_channel) AS elsewhere,
                               sum(m.reserved_delta) FILTER (WHERE m.reason = 'reservation' AND r.channel = p_channel) AS own
                        FROM movements m LEFT JOIN reservations r ON m.reason = 'reservation' AND r.id = m.reference
                        WHERE c.buffer_mode = 'lag_aware' AND m.sku = p.part AND m.location = source.location
                          AND m.created_at > now() - make_interval(secs => c.lag_window_seconds)
                          AND ((m.reason = 'sale' AND m.delta < 0) OR m.reason = 'reservation')
                    ) AS recent ON true
                    GROUP BY p.sku, p.scope, p.part, p.per_unit),
                units AS (
                    SELECT u.sku, u.scope, min(u.units / u.per_unit)::int AS units,
                           least(max(ceil(u.demand::numeric / u.per_unit)), 2147483647)::int AS demand,
                           least(max(ceil(u.own_demand::numeric / u.per_unit)), 2147483647)::int AS own_demand
                    FROM part_units u GROUP BY u.sku, u.scope),
                stepped AS (
                    SELECT u.sku, u.scope, u.units, u.demand, u.own_demand, c.lag,
                           -- Units expected to go before the channel shows a change: sales elsewhere during the whole
                           -- lag, and its own sales that an absolute write overwrites: those not in the ledger yet when
                           -- the value was computed (its own order feed) and those made before the write shows.
                           (u.demand * c.lag + u.own_demand * c.own_lag) / c.lag_window_seconds AS expected,
                           CASE WHEN loc.click_and_collect THEN greatest(0, u.units - loc.pickup_buffer) ELSE u.units END AS pickup_units,
                           c.buffer, c.share, c.max_quantity, c.min_visible, c.buffer_mode, c.lag_window_seconds, c.lag_cap,
                           c.low_stock, c.last_units,
                           EXISTS (
                               SELECT 1 FROM channel_locations mine
                               JOIN channel_locations theirs ON theirs.location = mine.location AND theirs.channel <> mine.channel
                               JOIN channels other ON other.code = theirs.channel
                               WHERE mine.channel = p_channel AND (u.scope = '*' OR mine.location = u.scope)
                                 AND other.priority > c.priority) AS outranked
                    FROM units u
                    CROSS JOIN channel c
                    LEFT JOIN locations loc ON loc.code = u.scope AND u.scope <> '*'),
                held AS (
                    -- The 90th percentile of a Poisson count with that mean: nine times in ten, no more sell meanwhile.
                    SELECT s.*,
                           CASE WHEN s.buffer_mode = 'lag_aware' AND s.pickup_units <= s.low_stock
                                THEN least(s.lag_cap, COALESCE(quantile.units, s.lag_cap)) ELSE 0 END AS held_back
                    FROM stepped s
                    LEFT JOIN LATERAL (
                        SELECT min(q.units) AS units FROM (
                            SELECT k AS units,
                                   sum(exp(-s.expected) * power(s.expected, k) / factorial(k)::float8) OVER (ORDER BY k) AS probability
                            FROM generate_series(0, least(s.lag_cap, 100)) AS k
                            WHERE s.buffer_mode = 'lag_aware' AND s.pickup_units <= s.low_stock) AS q
                        WHERE q.probability >= 0.9
                    ) AS quantile ON true)
                SELECT h.sku, h.scope, h.units, h.pickup_units, h.demand, h.own_demand, h.lag, h.expected, h.held_back,
                       h.last_units IS NOT NULL AND h.units <= h.last_units AND h.outranked,
                       CASE WHEN h.last_units IS NOT NULL AND h.units <= h.last_units AND h.outranked THEN 0
                            ELSE apply_channel_rule(greatest(0, h.pickup_units - h.held_back), h.buffer, h.share, h.max_quantity, h.min_visible)
                       END
                FROM held h
            $$;

            CREATE OR REPLACE FUNCTION channel_values(p_channel text, p_skus text[], p_scopes text[])
            RETURNS TABLE (sku text, scope text, value int)
            LANGUAGE sql STABLE AS $$
                SELECT p.sku, p.scope, p.value FROM channel_value_parts(p_channel, p_skus, p_scopes) AS p
            $$;
            """#)
}
