extension Migration {
    /// Unseen sales (issue 17): what a lag-aware channel that takes its own sales from the value written (Allegro,
    /// Shopify) sold that the ledger has not applied yet, so that an absolute write does not give those units back.
    ///
    /// - `outbox.written_value` is the value last written at the channel (the ledger's value less the unseen sales
    ///   held back then), `unseen_sales` those sales.
    /// - `orders_counted` is how many units of the channel's orders for the target the ledger had applied since
    ///   `orders_counted_from`, in the snapshot the written value was computed from. Counting again from the same
    ///   moment in a later snapshot gives exactly the orders applied in between, whatever order transactions
    ///   committed in; `orders_counted_from` lies a minute before the read, so a transaction that wrote a movement
    ///   earlier but committed after the read is still counted.
    /// - `unseen_sales_state(channel, skus, scopes)` gives each lag-aware item target its last written value, the
    ///   sales unseen at that write less the channel's order units applied since (reservations of its orders and the
    ///   backorders, `oversold` conflicts, of what no location could hold), and the count to record with this write.
    ///   The adapter reads the channel's value and adds what it fell by since the write (``UnseenSales`` in
    ///   ChannelVocabulary).
    /// - `conflicts_oversold` finds a channel's backorders of a SKU by time.
    static let unseenSales = Migration(
        version: 19, name: "unseen_sales",
        sql: #"""
            ALTER TABLE outbox
                ADD COLUMN written_value integer,
                ADD COLUMN unseen_sales integer NOT NULL DEFAULT 0 CHECK (unseen_sales >= 0),
                ADD COLUMN orders_counted_from timestamptz,
                ADD COLUMN orders_counted bigint;

            CREATE INDEX conflicts_oversold ON conflicts (channel, sku, created_at) WHERE kind = 'oversold';

            CREATE FUNCTION unseen_sales_state(p_channel text, p_skus text[], p_scopes text[])
            RETURNS TABLE (sku text, scope text, last_written int, carried int, counted_from timestamptz, counted bigint)
            LANGUAGE sql STABLE AS $$
                SELECT t.sku, t.scope, o.written_value,
                       CASE WHEN o.orders_counted_from IS NOT NULL THEN
                           greatest(-2147483648, least(2147483647,
                               o.unseen_sales::bigint - (COALESCE(applied.since_last, 0) + COALESCE(backordered.since_last, 0) - o.orders_counted)))
                       END::int,
                       t.counted_from, COALESCE(applied.since_now, 0) + COALESCE(backordered.since_now, 0)
                FROM (SELECT DISTINCT u.sku, u.scope, statement_timestamp() - interval '1 minute' AS counted_from
                      FROM unnest(p_skus, p_scopes) AS u(sku, scope)) AS t
                JOIN channels c ON c.code = p_channel
                JOIN skus k ON k.sku = t.sku
                LEFT JOIN outbox o ON o.channel = p_channel AND o.sku = t.sku AND o.location_scope = t.scope
                LEFT JOIN LATERAL (
                    SELECT sum(m.reserved_delta) FILTER (WHERE m.created_at > o.orders_counted_from) AS since_last,
                           sum(m.reserved_delta) FILTER (WHERE m.created_at > t.counted_from) AS since_now
                    FROM movements m JOIN reservations r ON r.id = m.reference AND r.channel = p_channel
                    WHERE m.reason = 'reservation' AND m.sku = t.sku
                      AND m.created_at > least(COALESCE(o.orders_counted_from, t.counted_from), t.counted_from)
                      AND m.location IN (SELECT t.scope WHERE t.scope <> '*'
                                         UNION ALL
                                         SELECT cl.location FROM channel_locations cl WHERE t.scope = '*' AND cl.channel = p_channel)
                ) AS applied ON true
                LEFT JOIN LATERAL (
                    SELECT sum((x.detail->>'backorder')::bigint) FILTER (WHERE x.created_at > o.orders_counted_from) AS since_last,
                           sum((x.detail->>'backorder')::bigint) FILTER (WHERE x.created_at > t.counted_from) AS since_now
                    FROM conflicts x
                    WHERE x.kind = 'oversold' AND x.channel = p_channel AND x.sku = t.sku
                      AND x.created_at > least(COALESCE(o.orders_counted_from, t.counted_from), t.counted_from)
                ) AS backordered ON true
                WHERE c.buffer_mode = 'lag_aware' AND k.kind = 'item'
            $$;
            """#)
}
