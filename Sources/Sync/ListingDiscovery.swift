import ChannelVocabulary
import Foundation
import Ledger
import Logging
import PostgresClient

/// Finds each SKU's id at the channels that need one (Shopify inventory items, WooCommerce products,
/// Allegro offers) by SKU or by barcode (``ListingMatch``) and stores it in `listings`; targets that failed for
/// want of a listing go out again. Only SKUs without a listing are looked up, so a listing set by hand is never
/// replaced. A SKU two items match, or an item two SKUs match, is an open `duplicate_listing` conflict instead.
public struct ListingDiscovery: Sendable {
    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Discovers listings for SKUs `channel` does not have one for, `batch` SKUs per call; returns how many were found.
    @discardableResult
    public func discover(code: String, channel: any Channel, match: ListingMatch = .sku, batch: Int = 250) async throws -> Int {
        guard channel.capabilities.needsListings else { return 0 }
        var found = 0
        var after = ""
        while true {
            let start = after
            // SKUs without a listing and their key; by barcode, SKUs without one cannot match.
            let unlisted = try await pool.run { pool in
                try pool.query(
                    """
                    SELECT s.sku, CASE WHEN $4 = 'barcode' THEN s.barcode ELSE s.sku END AS key FROM skus s WHERE s.sku > $2
                      AND ($4 = 'sku' OR s.barcode IS NOT NULL)
                      AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = $1 AND l.sku = s.sku)
                    ORDER BY s.sku LIMIT $3
                    """, [code, start, batch, match.rawValue]
                ) { rows in try rows.map { (sku: try $0.decode(String.self, at: 0), key: try $0.decode(String.self, at: 1)) } }
            }
            guard let last = unlisted.last else { return found }
            after = last.sku
            let items: [ChannelItem]
            do {
                items = try await channel.catalogueItems(matching: Set(unlisted.map(\.key)), by: match)
            } catch {
                logger.warning("listing discovery failed", metadata: ["channel": "\(code)", "error": "\(error)"])
                return found
            }
            let outcome = try await pool.run { pool in
                try pool.transaction { connection in
                    var listed: [String: [String]] = [:]
                    for row in try connection.query(
                        "SELECT external_id, sku FROM listings WHERE channel = $1 AND external_id = ANY ($2::text[])",
                        [code, items.map(\.externalID)])
                    {
                        listed[try row.decode(String.self, at: 0), default: []].append(try row.decode(String.self, at: 1))
                    }
                    let outcome = ListingMatcher.match(unlisted: unlisted, items: items, by: match, listed: listed)
                    try Self.store(outcome, checked: unlisted.map(\.sku), code: code, match: match, on: connection)
                    return outcome
                }
            }
            found += outcome.matches.count
        }
    }

    /// Reads `channel`'s whole catalogue (its listing read) and records it, so `listings unmatched`, `status` and
    /// the status page can name the items no listing points at; returns how many items it holds. (Reconcile
    /// records the catalogue too, from the pages it reads anyway.)
    @discardableResult
    public func survey(code: String, channel: any Channel) async throws -> Int {
        guard channel.capabilities.needsListings else { return 0 }
        let readAt = Date()
        let items = try await channel.readCatalogue()
        try await pool.run { pool in
            let catalog = Catalog(pool: pool)
            try catalog.recordCatalogue(
                channel: code, items: items.map { CatalogueEntry(externalID: $0.externalID, sku: $0.sku, barcode: $0.barcode) }, readAt: readAt)
            try catalog.pruneCatalogue(channel: code, readAt: readAt)
        }
        return items.count
    }

    /// Stores the matches (never over an existing listing), makes their targets due, opens a `duplicate_listing`
    /// conflict per ambiguous SKU without an open one, and settles the open ones of `checked` SKUs no longer ambiguous.
    private static func store(
        _ outcome: ListingMatcher.Outcome, checked: [String], code: String, match: ListingMatch, on connection: PostgresConnection
    ) throws {
        let pairs = outcome.matches.sorted { $0.key < $1.key }
        if !pairs.isEmpty {
            try connection.query(
                """
                INSERT INTO listings (channel, sku, external_id, details)
                SELECT $1, sku, id, jsonb_build_object('source', 'discovered', 'match', $4::text)
                FROM unnest($2::text[], $3::text[]) AS found(sku, id)
                ON CONFLICT (channel, sku, location_scope) DO NOTHING
                """, [code, pairs.map(\.key), pairs.map(\.value), match.rawValue])
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
        let duplicates = outcome.duplicates
        try connection.query(
            """
            UPDATE conflicts SET resolved_at = now(), resolution = 'no longer ambiguous (seen by discovery)'
            WHERE kind = 'duplicate_listing' AND channel = $1 AND resolved_at IS NULL
              AND sku = ANY ($2::text[]) AND sku <> ALL ($3::text[])
            """, [code, checked, duplicates.map(\.sku)])
        guard !duplicates.isEmpty else { return }
        try connection.query(
            """
            INSERT INTO conflicts (kind, channel, sku, detail)
            SELECT 'duplicate_listing', $1, d.sku,
                   jsonb_build_object('match', $2::text, 'key', d.key, 'items', string_to_array(d.items, chr(31)),
                                      'skus', string_to_array(d.skus, chr(31)), 'source', 'discovery')
            FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS d(sku, key, items, skus)
            WHERE NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.kind = 'duplicate_listing' AND c.channel = $1
                                                         AND c.sku = d.sku AND c.resolved_at IS NULL)
            """,
            [code, match.rawValue, duplicates.map(\.sku), duplicates.map(\.key), duplicates.map { $0.items.joined(separator: "\u{1F}") },
             duplicates.map { $0.skus.joined(separator: "\u{1F}") }])
    }
}
