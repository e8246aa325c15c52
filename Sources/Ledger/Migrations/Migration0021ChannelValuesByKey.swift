extension Migration {
    /// `channel_value_parts` reads each target's levels by their key (issue 15). Its body is migration 18's but for the
    /// levels: a lateral lookup of one (SKU, location) per part and source location, instead of a join with `levels`.
    ///
    /// The join let the planner choose a hash join whose hash side was every level of the ledger, whenever its row
    /// estimates for the targets ran high (the default estimates of `bundle_components` and `channel_locations`, tables
    /// that are small or empty, multiply them). The push lanes compute the values of each claimed batch with it, so a
    /// claim cost a scan of `levels`: with 300,000 levels, 190–260 ms for 250 targets, against 7–13 ms by key
    /// (`EXPLAIN ANALYZE` of the claim's values statement). The lookup is an aggregate, so the planner cannot pull it
    /// up into a join again.
    static let channelValuesByKey = Migration(
        version: 21, name: "channel_values_by_key",
        sql: #"""
            CREATE OR REPLACE FUNCTION channel_value_parts(p_channel text, p_skus text[], p_scopes text[])
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
                           COALESCE(sum(here.units), 0) AS units,
                           COALESCE(sum(recent.elsewhere), 0) AS demand, COALESCE(sum(recent.own), 0) AS own_demand
                    FROM parts p
                    CROSS JOIN channel c
                    LEFT JOIN LATERAL (
                        SELECT p.scope AS location WHERE p.scope <> '*'
                        UNION ALL
                        SELECT cl.location FROM channel_locations cl WHERE p.scope = '*' AND cl.channel = p_channel
                    ) AS source ON true
                    CROSS JOIN LATERAL (
                        -- One level, looked up by its key: a join let the planner hash every level of the ledger.
                        -- (max of the one row keeps its type, integer, and stops the planner from pulling it up.)
                        SELECT max(greatest(0, l.on_hand - l.reserved)) AS units FROM levels l
                        WHERE l.sku = p.part AND l.location = source.location
                    ) AS here
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
            """#)
}
