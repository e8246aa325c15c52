extension Migration {
    /// Unseen sales (issue 17): what a lag-aware channel that takes its own sales from the value written (Allegro)
    /// sold that the ledger has not applied yet, so that an absolute write does not give those units back.
    ///
    /// - `outbox.written_value` is the value last written at the channel (the ledger's value less the unseen sales
    ///   held back then), `unseen_sales` those sales, `written_from` the moment the ledger's value was read.
    /// - `unseen_sales_carried(channel, skus, scopes)` gives each lag-aware item target its last written value and
    ///   the sales unseen at that write less the channel's order units applied since: reservations of its orders and
    ///   the backorders (`oversold` conflicts) of what no location could hold. The adapter reads the channel's value
    ///   and adds what it fell by since the write (``UnseenSales`` in ChannelVocabulary).
    /// - `conflicts_oversold` finds a channel's backorders of a SKU by time.
    static let unseenSales = Migration(
        version: 19, name: "unseen_sales",
        sql: #"""
            ALTER TABLE outbox
                ADD COLUMN written_value integer,
                ADD COLUMN unseen_sales integer NOT NULL DEFAULT 0 CHECK (unseen_sales >= 0),
                ADD COLUMN written_from timestamptz;

            CREATE INDEX conflicts_oversold ON conflicts (channel, sku, created_at) WHERE kind = 'oversold';

            CREATE FUNCTION unseen_sales_carried(p_channel text, p_skus text[], p_scopes text[])
            RETURNS TABLE (sku text, scope text, last_written int, carried int)
            LANGUAGE sql STABLE AS $$
                SELECT o.sku, o.location_scope, o.written_value,
                       greatest(-2147483648, least(2147483647,
                           o.unseen_sales::bigint - COALESCE(applied.units, 0) - COALESCE(backordered.units, 0)))::int
                FROM unnest(p_skus, p_scopes) AS t(sku, scope)
                JOIN outbox o ON o.channel = p_channel AND o.sku = t.sku AND o.location_scope = t.scope
                JOIN channels c ON c.code = p_channel
                JOIN skus k ON k.sku = t.sku
                LEFT JOIN LATERAL (
                    SELECT sum(m.reserved_delta) AS units
                    FROM movements m JOIN reservations r ON r.id = m.reference AND r.channel = p_channel
                    WHERE m.reason = 'reservation' AND m.sku = t.sku AND m.created_at > o.written_from
                      AND m.location IN (SELECT t.scope WHERE t.scope <> '*'
                                         UNION ALL
                                         SELECT cl.location FROM channel_locations cl WHERE t.scope = '*' AND cl.channel = p_channel)
                ) AS applied ON true
                LEFT JOIN LATERAL (
                    SELECT sum((x.detail->>'backorder')::bigint) AS units FROM conflicts x
                    WHERE x.kind = 'oversold' AND x.channel = p_channel AND x.sku = t.sku AND x.created_at > o.written_from
                ) AS backordered ON true
                WHERE c.buffer_mode = 'lag_aware' AND k.kind = 'item' AND o.written_value IS NOT NULL AND o.written_from IS NOT NULL
            $$;
            """#)
}
