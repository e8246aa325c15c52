import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient

/// One level a channel showed, next to what the ledger and the outbox say about it.
struct ComparedLevel: Sendable, Equatable {
    var sku: String
    /// A location code, or `*`.
    var scope: String
    /// What the channel shows.
    var shown: Int
    /// The physical count the channel reports, if any.
    var counted: Int?
    /// What the ledger says the channel should show (DESIGN.md §5).
    var wanted: Int
    /// What was last pushed, if anything.
    var pushedValue: Int?
    /// A push of a newer value is due or in flight (not refused for good).
    var pending: Bool
    /// A push was recorded after the channel's page was requested: the page may predate it.
    var pushedDuringRead: Bool
    /// The ledger level changed after the page was requested: the channel's count may predate the change.
    var changedDuringRead: Bool
    /// On hand in the ledger at `scope` (0 when no level).
    var ledgerOnHand: Int
    /// `scope` is a store.
    var isStore: Bool
}

/// The database's clock and latest ledger version just before a page was requested from a channel: what
/// changed after it may be missing from the page.
struct ReadMoment: Sendable {
    var clock: Date
    var ledgerVersion: Int64

    static func now(on pool: PostgresPool) throws -> ReadMoment {
        try pool.query("SELECT clock_timestamp(), (SELECT last_value FROM ledger_version_seq)") { rows in
            ReadMoment(clock: try rows[0].decode(at: 0), ledgerVersion: try rows[0].decode(at: 1))
        }
    }
}

/// Compares one page of a channel's levels with the ledger in one query. Snapshots without a SKU are
/// matched through `listings`; those the ledger does not know, or in scopes the channel does not sell, are left out.
/// A bundle is compared with its availability (its components'); a store's count of a bundle is ignored, since a
/// bundle holds no stock of its own.
enum LevelComparison {
    /// - Parameter requested: when the page was requested from the channel.
    static func compare(
        _ snapshots: [ChannelLevelSnapshot], channel: String, requested: ReadMoment, on pool: PostgresPool
    ) throws -> [ComparedLevel] {
        try pool.query(
            """
            WITH r AS (
                SELECT COALESCE(NULLIF(s.sku, ''),
                                (SELECT li.sku FROM listings li WHERE li.channel = $1 AND li.external_id = s.external_id LIMIT 1)) AS sku,
                       s.scope, s.shown, s.counted
                FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[]) AS s(sku, external_id, scope, shown, counted)),
            wanted AS (
                SELECT v.* FROM (SELECT array_agg(sku) AS skus, array_agg(scope) AS scopes FROM r WHERE sku IS NOT NULL) AS targets,
                    channel_values($1, targets.skus, targets.scopes) AS v)
            SELECT r.sku, r.scope, r.shown, CASE WHEN k.kind = 'bundle' THEN NULL ELSE r.counted END, w.value, o.pushed_value,
                   o.wanted_version IS NOT NULL AND o.pushed_version IS DISTINCT FROM o.wanted_version AND NOT o.permanent_error,
                   COALESCE(l.on_hand, 0), COALESCE(loc.kind = 'store', false), COALESCE(o.pushed_at >= $7, false),
                   COALESCE(l.version > $8, false)
            FROM r
            JOIN skus k ON k.sku = r.sku
            JOIN channels c ON c.code = $1
            LEFT JOIN wanted w ON w.sku = r.sku AND w.scope = r.scope
            LEFT JOIN locations loc ON loc.code = r.scope
            LEFT JOIN outbox o ON o.channel = $1 AND o.sku = r.sku AND o.location_scope = r.scope
            LEFT JOIN levels l ON l.sku = r.sku AND l.location = r.scope
            WHERE CASE WHEN c.models_locations
                       THEN EXISTS (SELECT 1 FROM channel_locations cl WHERE cl.channel = $1 AND cl.location = r.scope)
                       ELSE r.scope = '*' END
            """,
            [
                channel, snapshots.map(\.sku), snapshots.map(\.externalID), snapshots.map(\.location),
                snapshots.map { clamp($0.available) }, snapshots.map { $0.onHand.flatMap { QuantityRange.holds($0) ? $0 : nil } },
                requested.clock,
                requested.ledgerVersion,
            ]
        ) { rows in
            try rows.map { row in
                ComparedLevel(
                    sku: try row.decode(at: 0), scope: try row.decode(at: 1), shown: try row.decode(at: 2),
                    counted: try row.decode(Int?.self, at: 3), wanted: try row.decode(Int?.self, at: 4) ?? 0,
                    pushedValue: try row.decode(Int?.self, at: 5), pending: try row.decode(at: 6), pushedDuringRead: try row.decode(at: 9),
                    changedDuringRead: try row.decode(at: 10),
                    ledgerOnHand: try row.decode(at: 7), isStore: try row.decode(at: 8))
            }
        }
    }

    /// A value a channel shows, brought into the ledger's range: a value beyond it still differs from
    /// every value the ledger wants (and so is drift), and a count beyond it is ignored.
    private static func clamp(_ shown: Int) -> Int {
        min(max(shown, -QuantityRange.maximum), QuantityRange.maximum)
    }
}
