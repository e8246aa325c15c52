import Foundation
import PostgresClient

/// One item of a channel's catalogue as its last listing read showed it.
package struct CatalogueEntry: Codable, Sendable, Equatable {
    /// The channel's id.
    package var externalID: String
    /// The SKU the channel shows, if any.
    package var sku: String?
    /// The barcode the channel shows, if any.
    package var barcode: String?

    package init(externalID: String, sku: String?, barcode: String?) {
        self.externalID = externalID
        self.sku = sku
        self.barcode = barcode
    }
}

/// What does not match on one channel (`omnistock listings unmatched`).
package struct UnmatchedListings: Codable, Sendable, Equatable {
    package var channel: String
    /// Ledger SKUs without a listing on the channel.
    package var skus: [String]
    /// Channel items no listing points at, as of ``catalogueReadAt``.
    package var items: [CatalogueEntry]
    /// When the channel's catalogue was last read; nil when it never was (``items`` is then empty).
    package var catalogueReadAt: Date?
}

/// Per channel: how many ledger SKUs have no listing and how many channel items no SKU (status, status page).
package struct UnmatchedCounts: Codable, Sendable, Equatable {
    package var channel: String
    package var skus: Int
    package var items: Int

    package init(channel: String, skus: Int, items: Int) {
        self.channel = channel
        self.skus = skus
        self.items = items
    }
}

extension Catalog {
    /// Records items of `channel`'s catalogue seen by a listing read that started at `readAt` (one page at a time).
    package func recordCatalogue(channel: String, items: [CatalogueEntry], readAt: Date) throws {
        guard !items.isEmpty else { return }
        try pool.execute(
            """
            INSERT INTO channel_items AS c (channel, external_id, sku, barcode, seen_at)
            SELECT DISTINCT ON (id) $1, id, NULLIF(sku, ''), NULLIF(barcode, ''), $5
            FROM unnest($2::text[], $3::text[], $4::text[]) AS i(id, sku, barcode)
            ON CONFLICT (channel, external_id) DO UPDATE
                SET sku = EXCLUDED.sku, barcode = COALESCE(EXCLUDED.barcode, c.barcode), seen_at = EXCLUDED.seen_at
            """, [channel, items.map(\.externalID), items.map { $0.sku ?? "" }, items.map { $0.barcode ?? "" }, readAt])
    }

    /// Forgets the items a complete listing read that started at `readAt` no longer saw (removed at the channel).
    package func pruneCatalogue(channel: String, readAt: Date) throws {
        _ = try pool.execute("DELETE FROM channel_items WHERE channel = $1 AND seen_at < $2", [channel, readAt])
    }

    /// Ledger SKUs without a listing and channel items without a SKU, for each channel that needs listings
    /// (or only `channel`), ordered by channel code.
    package func unmatched(channel: String? = nil) throws -> [UnmatchedListings] {
        try pool.withConnection { connection in
            let channels = try connection.query(
                """
                SELECT c.code, (SELECT max(seen_at) FROM channel_items i WHERE i.channel = c.code) FROM channels c
                WHERE ($1::text IS NULL OR c.code = $1) AND c.needs_listings ORDER BY c.code
                """, [channel])
            return try channels.map { row in
                let code = try row.decode(String.self, at: 0)
                let skus = try connection.query(
                    """
                    SELECT sku FROM skus s WHERE NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = $1 AND l.sku = s.sku)
                    ORDER BY sku
                    """, [code]
                ).map { try $0.decode(String.self, at: 0) }
                let items = try connection.query(
                    """
                    SELECT external_id, sku, barcode FROM channel_items i
                    WHERE channel = $1 AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = $1 AND l.external_id = i.external_id)
                    ORDER BY external_id
                    """, [code]
                ).map {
                    CatalogueEntry(
                        externalID: try $0.decode(at: 0), sku: try $0.decode(String?.self, at: 1), barcode: try $0.decode(String?.self, at: 2))
                }
                return UnmatchedListings(channel: code, skus: skus, items: items, catalogueReadAt: try row.decode(Date?.self, at: 1))
            }
        }
    }

    /// The counts of ``unmatched(channel:)`` for every channel that needs listings.
    package static func unmatchedCounts(on connection: PostgresConnection) throws -> [UnmatchedCounts] {
        try connection.query(
            """
            SELECT c.code,
                   (SELECT count(*) FROM skus s WHERE NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = c.code AND l.sku = s.sku)),
                   (SELECT count(*) FROM channel_items i WHERE i.channel = c.code
                      AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = c.code AND l.external_id = i.external_id))
            FROM channels c WHERE c.needs_listings ORDER BY c.code
            """
        ).map { UnmatchedCounts(channel: try $0.decode(at: 0), skus: try $0.decode(at: 1), items: try $0.decode(at: 2)) }
    }
}
