import Foundation
import PostgresClient

/// The `conflicts` table (DESIGN.md §6): every conflict recorded, settled or counted goes through here.
///
/// Writes take the connection of the caller's transaction, so a conflict commits with the change that caused it.
package enum ConflictStore {
    /// Records one conflict; resolved at once (with `resolution`) when one is given.
    package static func record(
        _ kind: ConflictKind, channel: String? = nil, sku: String? = nil, location: String? = nil, detail: ConflictDetail,
        resolution: String? = nil, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO conflicts (kind, channel, sku, location, detail, resolution, resolved_at)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END)
            """, [kind.rawValue, channel, sku, location, PostgresJSON(detail), resolution])
    }

    /// Records one conflict outside any transaction of the caller's.
    package static func record(
        _ kind: ConflictKind, channel: String? = nil, sku: String? = nil, location: String? = nil, detail: ConflictDetail,
        resolution: String? = nil, pool: PostgresPool
    ) throws {
        try pool.withConnection {
            try record(kind, channel: channel, sku: sku, location: location, detail: detail, resolution: resolution, on: $0)
        }
    }

    /// The shortfall a count below reservations left at (sku, location): `pickup_shortfall` when a pickup
    /// reservation is among the active ones there, `oversold` otherwise; the detail lists them.
    package static func recordCountShortfall(
        sku: String, location: String, onHand: Int, reserved: Int, reference: String?, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO conflicts (kind, sku, location, detail)
            SELECT CASE WHEN bool_or(kind = 'pickup') THEN \(literal(.pickupShortfall)) ELSE \(literal(.oversold)) END, $1, $2,
                   jsonb_build_object('on_hand', $3::int, 'reserved', $4::int, 'shortfall', $4::int - $3::int,
                                      'reference', $5::text,
                                      'reservations', COALESCE(jsonb_agg(jsonb_build_object(
                                          'id', id, 'kind', kind, 'quantity', quantity, 'channel', channel,
                                          'order', external_ref) ORDER BY created_at), '[]'::jsonb))
            FROM reservations WHERE sku = $1 AND location = $2 AND status = 'active'
            """, [sku, location, onHand, reserved, reference])
    }

    /// Adds reconcile's findings (`detail`) to the open `pickup_shortfall` conflict of (sku, store), or records one.
    package static func flagPickupShortfall(
        sku: String, store: String, detail: PostgresJSON<some Encodable & Sendable>, onHand: Int, promised: Int,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            WITH flagged AS (
                UPDATE conflicts SET detail = detail || $3::jsonb
                WHERE id = (SELECT id FROM conflicts WHERE kind = \(literal(.pickupShortfall)) AND sku = $1 AND location = $2
                            AND resolved_at IS NULL ORDER BY id DESC LIMIT 1)
                RETURNING id)
            INSERT INTO conflicts (kind, sku, location, detail)
            SELECT \(literal(.pickupShortfall)), $1, $2, $3::jsonb || jsonb_build_object(
                       'on_hand', $4::int, 'reserved', $5::int, 'shortfall', $5::int - $4::int)
            WHERE NOT EXISTS (SELECT 1 FROM flagged)
            """, [sku, store, detail, onHand, promised])
    }

    /// Resolved `drift` conflicts for levels reconcile pushes again (arrays by position: SKU, scope, the value the
    /// channel showed, the ledger's, the last pushed).
    package static func recordRepairedDrift(
        channel: String, skus: [String], scopes: [String], shown: [Int], wanted: [Int], pushed: [Int?], run: Int64,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO conflicts (kind, channel, sku, location, detail, resolution, resolved_at)
            SELECT \(literal(.drift)), $1, sku, NULLIF(scope, '*'),
                   jsonb_build_object('channel_value', shown, 'ledger_value', wanted, 'last_pushed', pushed,
                                      'source', 'reconcile', 'run', $7::bigint),
                   'ledger wins: pushed again', now()
            FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[]) AS d(sku, scope, shown, wanted, pushed)
            """, [channel, skus, scopes, shown, wanted, pushed, run])
    }

    /// Opens a conflict of `kinds[i]` (`unmanaged_listing` or `ended_offer`) for each (SKU, scope) of `channel` that
    /// has no open one of its kind yet.
    package static func recordListingIssues(
        channel: String, source: String, kinds: [ConflictKind], skus: [String], scopes: [String], details: [String], pool: PostgresPool
    ) throws {
        try pool.execute(
            """
            INSERT INTO conflicts (kind, channel, sku, location, detail)
            SELECT DISTINCT ON (i.kind, i.sku) i.kind, $1, i.sku, NULLIF(i.scope, '*'),
                   jsonb_build_object('detail', i.detail, 'source', $2::text)
            FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS i(kind, sku, scope, detail)
            WHERE NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.kind = i.kind AND c.channel = $1 AND c.sku = i.sku
                                                         AND c.resolved_at IS NULL)
            """, [channel, source, kinds.map(\.rawValue), skus, scopes, details])
    }

    /// Resolves the open listing issues of SKUs the channel now shows under its stock control: `unmanaged_listing`
    /// once it tracks the stock, `ended_offer` once it shows units for sale (`selling[i]`). The kind list lets the
    /// partial index `conflicts_open_listing_issues` answer, so a page costs next to nothing on channels without issues.
    package static func resolveSettledListingIssues(channel: String, skus: [String], selling: [Bool], pool: PostgresPool) throws {
        try pool.execute(
            """
            UPDATE conflicts c SET resolved_at = now(), resolution = 'settled at the channel (seen by reconcile)'
            FROM unnest($2::text[], $3::bool[]) AS s(sku, selling)
            WHERE c.channel = $1 AND c.sku = s.sku AND c.resolved_at IS NULL
              AND c.kind IN (\(literal(.unmanagedListing)), \(literal(.endedOffer)))
              AND (c.kind = \(literal(.unmanagedListing)) OR s.selling)
            """, [channel, skus, selling])
    }

    /// Resolved `unmanaged_listing` conflicts for the untracked listings reconcile pushes again.
    package static func recordUnmanagedPushedAgain(
        channel: String, skus: [String], scopes: [String], run: Int64, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO conflicts (kind, channel, sku, location, detail, resolution, resolved_at)
            SELECT \(literal(.unmanagedListing)), $1, sku, NULLIF(scope, '*'), jsonb_build_object('source', 'reconcile', 'run', $4::bigint),
                   'stock management turned on by the next push', now()
            FROM unnest($2::text[], $3::text[]) AS u(sku, scope)
            """, [channel, skus, scopes, run])
    }

    /// Opens a `duplicate_listing` conflict per ambiguous SKU of `channel` without an open one (arrays by position:
    /// SKU, the key matched on, the channel items and the SKUs it matched, each joined by U+001F).
    package static func recordDuplicateListings(
        channel: String, match: String, skus: [String], keys: [String], items: [String], matchedSKUs: [String],
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO conflicts (kind, channel, sku, detail)
            SELECT \(literal(.duplicateListing)), $1, d.sku,
                   jsonb_build_object('match', $2::text, 'key', d.key, 'items', string_to_array(d.items, chr(31)),
                                      'skus', string_to_array(d.skus, chr(31)), 'source', 'discovery')
            FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS d(sku, key, items, skus)
            WHERE NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.kind = \(literal(.duplicateListing)) AND c.channel = $1
                                                         AND c.sku = d.sku AND c.resolved_at IS NULL)
            """, [channel, match, skus, keys, items, matchedSKUs])
    }

    /// Settles the open `duplicate_listing` conflicts of `checked` SKUs of `channel` that are not `stillAmbiguous`.
    package static func resolveDuplicateListings(
        channel: String, checked: [String], stillAmbiguous: [String], on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE conflicts SET resolved_at = now(), resolution = 'no longer ambiguous (seen by discovery)'
            WHERE kind = \(literal(.duplicateListing)) AND channel = $1 AND resolved_at IS NULL
              AND sku = ANY ($2::text[]) AND sku <> ALL ($3::text[])
            """, [channel, checked, stillAmbiguous])
    }

    /// Settles the open `duplicate_listing` conflicts of (channels[i], skus[i]): the operator set their listings by hand.
    package static func resolveDuplicateListingsSetByHand(channels: [String], skus: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE conflicts c SET resolved_at = now(), resolution = 'listing set by hand'
            FROM unnest($1::text[], $2::text[]) AS m(channel, sku)
            WHERE c.kind = \(literal(.duplicateListing)) AND c.resolved_at IS NULL AND c.channel = m.channel AND c.sku = m.sku
            """, [channels, skus])
    }

    /// Settles the open `missed_order` conflicts (refusals set aside earlier) of an order event now imported.
    package static func resolveMissedOrder(
        channel: String, order: String, type: String, resolution: String = "imported by reconcile", pool: PostgresPool
    ) throws {
        try pool.execute(
            """
            UPDATE conflicts SET resolution = $4, resolved_at = now()
            WHERE kind = \(literal(.missedOrder)) AND channel = $1 AND resolved_at IS NULL AND detail->>'order' = $2 AND detail->>'type' = $3
            """, [channel, order, type, resolution])
    }

    /// Opens a `missed_order` conflict for an order event reconcile (`run`) or the order poll (nil) could not import,
    /// unless one is open for it.
    package static func recordRefusedOrder(
        channel: String, order: String, event: String, type: String, run: Int64?, error: String, pool: PostgresPool
    ) throws {
        try pool.execute(
            """
            INSERT INTO conflicts (kind, channel, detail)
            SELECT \(literal(.missedOrder)), $1, jsonb_build_object('order', $2::text, 'event', $3::text, 'type', $4::text,
                                                          'run', $5::bigint, 'error', $6::text)
            WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE kind = \(literal(.missedOrder)) AND channel = $1 AND resolved_at IS NULL
                              AND detail->>'order' = $2 AND detail->>'type' = $4)
            """, [channel, order, event, type, run, error])
    }

    /// Unresolved conflicts by kind.
    package static func openByKind(on connection: PostgresConnection) throws -> [String: Int] {
        var open: [String: Int] = [:]
        for row in try connection.query("SELECT kind, count(*) FROM conflicts WHERE resolved_at IS NULL GROUP BY kind") {
            open[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return open
    }

    /// Unresolved conflicts of `channel` (all channels when nil) and of no channel.
    package static func openCount(channel: String?, pool: PostgresPool) throws -> Int {
        try pool.query(
            "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL AND ($1::text IS NULL OR channel = $1 OR channel IS NULL)",
            [channel]
        ) { try $0[0].decode(Int.self, at: 0) }
    }

    /// Conflicts of `kind` recorded for `channel` since `since`.
    package static func count(_ kind: ConflictKind, channel: String, since: Date, pool: PostgresPool) throws -> Int {
        try pool.query(
            "SELECT count(*) FROM conflicts WHERE kind = $3 AND channel = $1 AND created_at >= $2", [channel, since, kind.rawValue]
        ) { try $0[0].decode(Int.self, at: 0) }
    }

    /// The conflict list of `GET /v1/conflicts` as JSON: open ones (all when `all`), newest first, at most `limit`.
    package static func listJSON(all: Bool, limit: Int, pool: PostgresPool) throws -> String? {
        try pool.query(
            """
            SELECT json_build_object('conflicts', COALESCE(json_agg(json_build_object(
                'id', id, 'kind', kind, 'channel', channel, 'sku', sku, 'location', location, 'detail', detail,
                'resolution', resolution, 'created_at', created_at, 'resolved_at', resolved_at) ORDER BY id DESC), '[]'))
            FROM (SELECT * FROM conflicts WHERE $1 OR resolved_at IS NULL ORDER BY id DESC LIMIT $2) AS listed
            """, [all, limit]
        ) { try $0.first?.decode(String?.self, at: 0) }
    }

    /// The newest `limit` conflicts, newest first: open ones only (the status page), or resolved ones too (the demo).
    package static func newest(limit: Int, includingResolved: Bool = false, pool: PostgresPool) throws -> [ConflictSummary] {
        try pool.query(
            """
            SELECT kind, channel, sku, location, resolution, created_at FROM conflicts
            WHERE $2 OR resolved_at IS NULL ORDER BY id DESC LIMIT $1
            """, [limit, includingResolved]
        ) { rows in
            try rows.map {
                ConflictSummary(
                    kind: try $0.decode(at: 0), channel: try $0.decode(String?.self, at: 1), sku: try $0.decode(String?.self, at: 2),
                    location: try $0.decode(String?.self, at: 3), resolution: try $0.decode(String?.self, at: 4), createdAt: try $0.decode(at: 5))
            }
        }
    }

    /// A kind as an SQL literal (the raw values are fixed words, safe to inline).
    private static func literal(_ kind: ConflictKind) -> String { "'\(kind.rawValue)'" }
}

/// A conflict as the status page and the demo list it.
package struct ConflictSummary: Sendable, Equatable {
    package var kind: String
    package var channel: String?
    package var sku: String?
    package var location: String?
    /// Nil while open.
    package var resolution: String?
    package var createdAt: Date
}
