extension Migration {
    /// Two conflict kinds an adapter reports about a listing itself, left open for an operator:
    /// `unmanaged_listing` (the channel does not track the listing's stock, e.g. WooCommerce `manage_stock` off,
    /// with `unmanaged = "flag"`) and `ended_offer` (an Allegro offer ended by the seller or an administrator,
    /// which Omnistock does not reactivate). An index finds a channel's open ones by SKU.
    static let listingIssues = Migration(
        version: 12, name: "listing_issues",
        sql: #"""
            ALTER TABLE conflicts DROP CONSTRAINT conflicts_kind_check;
            ALTER TABLE conflicts ADD CONSTRAINT conflicts_kind_check CHECK (kind IN (
                'drift', 'missed_order', 'oversold', 'pickup_shortfall', 'count_mismatch', 'stale_event',
                'unmanaged_listing', 'ended_offer'));
            CREATE INDEX conflicts_open_listing_issues ON conflicts (channel, sku)
                WHERE resolved_at IS NULL AND kind IN ('unmanaged_listing', 'ended_offer');
            """#)
}
