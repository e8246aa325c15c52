import Channels
import Logging
import PostgresClient

/// Finds each SKU's id at the channels that need one (Shopify inventory items, WooCommerce products,
/// Allegro offers) and stores it in `listings`; targets that failed for want of a listing go out again.
/// Listings written by hand (the CSV override) are kept.
public struct ListingDiscovery: Sendable {
    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Discovers listings for SKUs `channel` does not have one for, `batch` SKUs per call; returns how many were found.
    @discardableResult
    public func discover(code: String, channel: any Channel, batch: Int = 250) async throws -> Int {
        guard type(of: channel).kind != OmnistockJSONChannel.kind else { return 0 }
        var found = 0
        var after = ""
        while true {
            let start = after
            let skus = try await pool.run { pool in
                try pool.query(
                    """
                    SELECT sku FROM skus s WHERE sku > $2
                      AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = $1 AND l.sku = s.sku)
                    ORDER BY sku LIMIT $3
                    """, [code, start, batch]
                ) { rows in try rows.map { try $0.decode(String.self, at: 0) } }
            }
            guard let last = skus.last else { return found }
            after = last
            let listings: [String: String]
            do {
                listings = try await channel.discoverListings(skus: skus)
            } catch {
                logger.warning("listing discovery failed", metadata: ["channel": "\(code)", "error": "\(error)"])
                return found
            }
            guard !listings.isEmpty else { continue }
            found += listings.count
            let pairs = listings.sorted { $0.key < $1.key }
            try await pool.run { pool in
                try pool.transaction { connection in
                    try connection.query(
                        """
                        INSERT INTO listings (channel, sku, external_id)
                        SELECT $1, sku, id FROM unnest($2::text[], $3::text[]) AS found(sku, id)
                        ON CONFLICT (channel, sku, location_scope) DO NOTHING
                        """, [code, pairs.map(\.key), pairs.map(\.value)])
                    // A new version, not just a cleared flag: a push in flight without the listing must
                    // not mark the target refused after this.
                    try connection.query(
                        """
                        UPDATE outbox SET wanted_version = nextval('ledger_version_seq'), permanent_error = false,
                            attempts = 0, next_attempt_at = now()
                        WHERE channel = $1 AND sku = ANY ($2::text[])
                        """, [code, pairs.map(\.key)])
                    try connection.query("SELECT pg_notify('omnistock_outbox', '')")
                }
            }
        }
    }
}
