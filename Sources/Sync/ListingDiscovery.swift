import ChannelVocabulary
import Foundation
import Ledger
import Logging
import PostgresClient

/// Finds each SKU's id at the channels that need one (Shopify inventory items, WooCommerce products,
/// Allegro offers) by SKU or by barcode (``ListingMatch``) and stores it in `listings`; targets that failed for
/// want of a listing go out again. Only SKUs without a listing are looked up, so a listing set by hand is never
/// replaced. A SKU two items match, or an item two SKUs match, is an open `duplicate_listing` conflict instead.
package struct ListingDiscovery: Sendable {
    let pool: PostgresPool
    let logger: Logger

    package init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Discovers listings for SKUs `channel` does not have one for, `batch` SKUs per call; returns how many were found.
    @discardableResult
    package func discover(code: String, channel: any Channel, match: ListingMatch = .sku, batch: Int = 250) async throws -> Int {
        guard channel.capabilities.needsListings else { return 0 }
        var found = 0
        var after = ""
        while true {
            let start = after
            // SKUs without a listing and their key; by barcode, SKUs without one cannot match.
            let unlisted = try await pool.run { pool in
                try Catalog.unlistedSKUs(channel: code, after: start, limit: batch, byBarcode: match == .barcode, pool: pool)
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
                let outcome = try pool.transaction { connection in
                    let listed = try Catalog.listedSKUs(channel: code, externalIDs: items.map(\.externalID), on: connection)
                    let outcome = ListingMatcher.match(unlisted: unlisted, items: items, by: match, listed: listed)
                    try Self.store(outcome, checked: unlisted.map(\.sku), code: code, match: match, on: connection)
                    return outcome
                }
                if !outcome.matches.isEmpty { try WakeAfterCommit.send(.outbox, pool: pool) }
                return outcome
            }
            found += outcome.matches.count
        }
    }

    /// Reads `channel`'s whole catalogue (its listing read) and records it, so `listings unmatched`, `status` and
    /// the status page can name the items no listing points at; returns how many items it holds. (Reconcile
    /// records the catalogue too, from the pages it reads anyway.)
    @discardableResult
    package func survey(code: String, channel: any Channel) async throws -> Int {
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
            try Catalog.storeDiscoveredListings(
                channel: code, skus: pairs.map(\.key), externalIDs: pairs.map(\.value), match: match.rawValue, on: connection)
            // A new version, not just a cleared flag: a push in flight without the listing must
            // not mark the target refused after this.
            try OutboxStore.renewVersions(channel: code, skus: pairs.map(\.key), on: connection)
        }
        let duplicates = outcome.duplicates
        try ConflictStore.resolveDuplicateListings(channel: code, checked: checked, stillAmbiguous: duplicates.map(\.sku), on: connection)
        guard !duplicates.isEmpty else { return }
        try ConflictStore.recordDuplicateListings(
            channel: code, match: match.rawValue, skus: duplicates.map(\.sku), keys: duplicates.map(\.key),
            items: duplicates.map { $0.items.joined(separator: "\u{1F}") }, matchedSKUs: duplicates.map { $0.skus.joined(separator: "\u{1F}") },
            on: connection)
    }
}
