extension Migration {
    /// Matching listings by barcode and reporting what does not match (issue 13 part 3):
    /// - `skus.barcode`: the SKU's GTIN/EAN (imported with the catalogue), matched against the channel's barcode
    ///   field by channels configured with `match = "barcode"`;
    /// - `duplicate_listing`: an open conflict when discovery finds two channel items for one SKU or one channel
    ///   item for two SKUs; nothing is mapped until an operator sets the listing by hand;
    /// - `channel_items`: the items a channel showed at its last catalogue read (id, SKU, barcode), so
    ///   `listings unmatched`, `status` and the status page can name the items no listing points at.
    static let listingMatch = Migration(
        version: 13, name: "listing_match",
        sql: #"""
            ALTER TABLE skus ADD COLUMN barcode text CHECK (barcode <> '');
            CREATE INDEX skus_barcode ON skus (barcode) WHERE barcode IS NOT NULL;
            ALTER TABLE conflicts DROP CONSTRAINT conflicts_kind_check;
            ALTER TABLE conflicts ADD CONSTRAINT conflicts_kind_check CHECK (kind IN (
                'drift', 'missed_order', 'oversold', 'pickup_shortfall', 'count_mismatch', 'stale_event',
                'unmanaged_listing', 'ended_offer', 'duplicate_listing'));
            CREATE INDEX conflicts_open_duplicate_listings ON conflicts (channel, sku)
                WHERE resolved_at IS NULL AND kind = 'duplicate_listing';
            CREATE TABLE channel_items (
                channel     text NOT NULL REFERENCES channels (code) ON DELETE CASCADE,
                external_id text NOT NULL,
                sku         text,
                barcode     text,
                seen_at     timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (channel, external_id)
            );
            """#)
}
