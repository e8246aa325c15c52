extension Migration {
    /// Channel values computed for many targets in one set-based query (`channel_values`), which
    /// `channel_value` now wraps: the old per-row function called further SQL functions that PostgreSQL
    /// re-plans on every call (about 0.3 ms a value), which made reconcile and outbox claims slow.
    /// `apply_channel_rule` becomes a plain expression that the planner inlines. Same contract (DESIGN.md §5).
    static let setBasedAvailability = Migration(
        version: 6, name: "set_based_availability",
        sql: #"""
            -- A channel's allocation rule: buffer, then share (floored), then max, then min_visible.
            -- One expression without FROM or sub-queries, so that the planner inlines it.
            CREATE OR REPLACE FUNCTION apply_channel_rule(p_value int, p_buffer int, p_share int, p_max int, p_min_visible int)
            RETURNS int LANGUAGE sql IMMUTABLE AS $$
                SELECT CASE
                    WHEN least(COALESCE(p_max, 2147483647), (greatest(0, p_value - p_buffer)::bigint * p_share / 100)::int) < p_min_visible
                    THEN 0
                    ELSE least(COALESCE(p_max, 2147483647), (greatest(0, p_value - p_buffer)::bigint * p_share / 100)::int)
                END
            $$;

            -- The values channel p_channel must show for the targets (p_skus[i], p_scopes[i]); a scope is a
            -- location code or '*' for the channel's pool. An item draws on its own levels, a bundle on its
            -- components' (⌊units ÷ quantity⌋, the smallest over components); a location scope on that location,
            -- '*' on every location of the channel; a click-and-collect store keeps its pickup buffer back.
            -- No row for an unknown channel.
            CREATE FUNCTION channel_values(p_channel text, p_skus text[], p_scopes text[])
            RETURNS TABLE (sku text, scope text, value int) LANGUAGE sql STABLE AS $$
                WITH targets AS (
                    SELECT DISTINCT t.sku, t.scope FROM unnest(p_skus, p_scopes) AS t(sku, scope)),
                parts AS (
                    SELECT t.sku, t.scope, COALESCE(b.component_sku, t.sku) AS part, COALESCE(b.quantity, 1) AS per_unit
                    FROM targets t LEFT JOIN bundle_components b ON b.bundle_sku = t.sku),
                part_units AS (
                    SELECT p.sku, p.scope, p.part, p.per_unit, COALESCE(sum(greatest(0, l.on_hand - l.reserved)), 0) AS units
                    FROM parts p
                    LEFT JOIN LATERAL (
                        SELECT p.scope AS location WHERE p.scope <> '*'
                        UNION ALL
                        SELECT cl.location FROM channel_locations cl WHERE p.scope = '*' AND cl.channel = p_channel
                    ) AS source ON true
                    LEFT JOIN levels l ON l.sku = p.part AND l.location = source.location
                    GROUP BY p.sku, p.scope, p.part, p.per_unit),
                units AS (
                    SELECT u.sku, u.scope, min(u.units / u.per_unit)::int AS units FROM part_units u GROUP BY u.sku, u.scope)
                SELECT u.sku, u.scope,
                       apply_channel_rule(
                           CASE WHEN loc.click_and_collect THEN greatest(0, u.units - loc.pickup_buffer) ELSE u.units END,
                           c.buffer, c.share, c.max_quantity, c.min_visible)
                FROM units u
                JOIN channels c ON c.code = p_channel
                LEFT JOIN locations loc ON loc.code = u.scope AND u.scope <> '*'
            $$;

            -- One target's value (see channel_values); NULL for an unknown channel.
            CREATE OR REPLACE FUNCTION channel_value(p_channel text, p_sku text, p_scope text) RETURNS int
            LANGUAGE sql STABLE AS $$
                SELECT value FROM channel_values(p_channel, ARRAY[p_sku], ARRAY[p_scope])
            $$;
            """#)
}
