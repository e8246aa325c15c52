extension Migration {
    /// Lookups by key stay lookups by key while the planner's statistics are stale (issue 15).
    ///
    /// A channel's listings and a location's levels arrive in bulk (a new channel, a discovery, `omnistock listings
    /// import`, a new store's first count), and until autovacuum analyzes the table again its statistics do not know
    /// the new channel or location and estimate it at about one row. An index that led with the channel or the
    /// location then made a scan of that value's whole range, the key filtered row by row, look as cheap as a lookup by
    /// key, and the planner sometimes chose it: the push lane's listing lookup read all 10,000 listings of a new
    /// WooCommerce channel for each of 250 targets, a second a claim, and a backlog of 10,000 SKUs took 37–51 s
    /// instead of 2 s in 7 runs of 20 (`omnistock bench --quick --only backlog`). So:
    /// - `listings`: the primary key is (sku, location_scope, channel) and the index for lookups by the channel's id
    ///   (external_id, channel): neither leads with the channel. A channel's whole list
    ///   (`GET /v1/channels/{code}/listings`) reads the table.
    /// - `levels_by_location` is (location, sku): a lookup of one level matches every column of either index.
    static let keyLookupsOnStaleStatistics = Migration(
        version: 23, name: "key_lookups_on_stale_statistics",
        sql: """
            ALTER TABLE listings DROP CONSTRAINT listings_pkey;
            ALTER TABLE listings ADD CONSTRAINT listings_pkey PRIMARY KEY (sku, location_scope, channel);
            DROP INDEX listings_by_external_id;
            CREATE INDEX listings_by_external_id ON listings (external_id, channel);

            CREATE INDEX levels_by_location_and_sku ON levels (location, sku);
            DROP INDEX levels_by_location;
            ALTER INDEX levels_by_location_and_sku RENAME TO levels_by_location;
            """)
}
