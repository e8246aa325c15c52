import PostgresClient

/// Stock of one SKU at one location, with what click-and-collect may promise there.
package struct LocationStock: Codable, Sendable, Equatable {
    package var location: String
    package var onHand: Int
    package var reserved: Int
    package var available: Int
    /// `max(0, available − pickup_buffer)` at stores with click-and-collect; nil elsewhere.
    package var pickupAvailable: Int?
    package var oversold: Bool
}

/// The value a channel should show for one SKU in one scope (a location, or `*` for the pool).
package struct ChannelStock: Codable, Sendable, Equatable {
    package var channel: String
    package var scope: String
    package var value: Int
    /// How the value was reached.
    package var steps: ChannelValueSteps

    package init(channel: String, scope: String, value: Int, steps: ChannelValueSteps) {
        self.channel = channel
        self.scope = scope
        self.value = value
        self.steps = steps
    }
}

/// One component of a bundle in a stock report: units per bundle and what all locations have available.
package struct BundleComponentStock: Codable, Sendable, Equatable {
    package var sku: String
    /// Units in each bundle.
    package var quantity: Int
    /// Available over every location.
    package var available: Int
    /// Whole bundles that alone would make (`available ÷ quantity`).
    package var bundles: Int

    package init(sku: String, quantity: Int, available: Int, bundles: Int) {
        self.sku = sku
        self.quantity = quantity
        self.available = available
        self.bundles = bundles
    }
}

/// Everything the ledger knows about one SKU's availability.
package struct StockReport: Codable, Sendable, Equatable {
    package var sku: String
    package var name: String
    package var kind: String
    package var locations: [LocationStock]
    package var channels: [ChannelStock]
    /// A bundle's components; nil for an item.
    package var components: [BundleComponentStock]?
}

extension StockLedger {
    /// Per-location stock and per-channel published values of `sku` (DESIGN.md §5).
    package func stock(sku: String) throws -> StockReport {
        try pool.withConnection { connection in
            guard let item = try connection.query("SELECT name, kind FROM skus WHERE sku = $1", [sku]).first else {
                throw LedgerError.unknownSKU(sku)
            }
            let name: String = try item.decode(at: 0)
            let kind: String = try item.decode(at: 1)
            let locations = try connection.query(
                """
                SELECT loc.code, COALESCE(l.on_hand, 0), COALESCE(l.reserved, 0), location_available($1, loc.code),
                       CASE WHEN loc.click_and_collect THEN pickup_available($1, loc.code) END, COALESCE(l.oversold, false),
                       l.sku IS NOT NULL OR $2 = 'bundle'
                FROM locations loc LEFT JOIN levels l ON l.location = loc.code AND l.sku = $1
                ORDER BY loc.code
                """, [sku, kind]
            ).compactMap { row -> LocationStock? in
                guard try row.decode(Bool.self, at: 6) else { return nil }
                let onHand: Int = try row.decode(at: 1)
                let reserved: Int = try row.decode(at: 2)
                return LocationStock(
                    location: try row.decode(at: 0), onHand: onHand, reserved: reserved,
                    available: kind == "bundle" ? try row.decode(at: 3) : onHand - reserved,
                    pickupAvailable: try row.decode(Int?.self, at: 4), oversold: try row.decode(at: 5))
            }
            let channels = try connection.query(
                """
                SELECT c.code, p.scope, p.value, p.units, p.pickup_units, p.demand, p.own_demand, p.lag_seconds, p.expected,
                       p.held_back, c.buffer, c.share, c.max_quantity, c.min_visible, p.last_units_cut
                FROM channels c
                CROSS JOIN LATERAL (
                    SELECT array_agg(cl.location ORDER BY cl.location) AS scopes FROM channel_locations cl
                    WHERE cl.channel = c.code AND c.models_locations
                    HAVING count(*) > 0
                    UNION ALL SELECT ARRAY['*'] WHERE NOT c.models_locations) AS wanted
                CROSS JOIN LATERAL channel_value_parts(c.code, array_fill($1::text, ARRAY[cardinality(wanted.scopes)]), wanted.scopes) AS p
                ORDER BY c.code, p.scope
                """, [sku]
            ).map { row in
                let steps = ChannelValueSteps(
                    units: try row.decode(at: 3), pickupUnits: try row.decode(at: 4), demand: try row.decode(at: 5),
                    ownDemand: try row.decode(at: 6), lagSeconds: try row.decode(at: 7), expected: try row.decode(at: 8),
                    heldBack: try row.decode(at: 9), buffer: try row.decode(at: 10), share: try row.decode(at: 11),
                    max: try row.decode(Int?.self, at: 12), minVisible: try row.decode(at: 13), lastUnitsCut: try row.decode(at: 14))
                return ChannelStock(channel: try row.decode(at: 0), scope: try row.decode(at: 1), value: try row.decode(at: 2), steps: steps)
            }
            let components = try connection.query(
                """
                SELECT b.component_sku, b.quantity, COALESCE(sum(greatest(0, l.on_hand - l.reserved)), 0)::int
                FROM bundle_components b LEFT JOIN levels l ON l.sku = b.component_sku
                WHERE b.bundle_sku = $1 GROUP BY b.component_sku, b.quantity ORDER BY b.component_sku
                """, [sku]
            ).map { row in
                let quantity: Int = try row.decode(at: 1)
                let available: Int = try row.decode(at: 2)
                return BundleComponentStock(sku: try row.decode(at: 0), quantity: quantity, available: available, bundles: available / quantity)
            }
            return StockReport(
                sku: sku, name: name, kind: kind,
                locations: locations, channels: channels, components: components.isEmpty ? nil : components)
        }
    }

    /// Units click-and-collect may promise for `sku` at `store` (0 when the store offers no pickup).
    package func pickupAvailable(sku: String, store: String) throws -> Int {
        try pool.query(
            """
            SELECT EXISTS (SELECT 1 FROM skus WHERE sku = $1), loc.click_and_collect, pickup_available($1, $2)
            FROM (SELECT $2::text AS code) AS wanted LEFT JOIN locations loc USING (code)
            """, [sku, store]
        ) { rows in
            let row = rows[0]
            guard try row.decode(Bool.self, at: 0) else { throw LedgerError.unknownSKU(sku) }
            guard let pickup = try row.decode(Bool?.self, at: 1) else { throw LedgerError.unknownLocation(store) }
            return pickup ? try row.decode(Int.self, at: 2) : 0
        }
    }

    /// The value `channel` must show for `sku` in `scope` (a location code, or `*`).
    package func channelValue(channel: String, sku: String, scope: String) throws -> Int {
        try pool.query("SELECT channel_value($1, $2, $3)", [channel, sku, scope]) { rows in
            guard let value = try rows[0].decode(Int?.self, at: 0) else {
                throw LedgerError.invalidArgument("unknown channel \(channel)")
            }
            return value
        }
    }
}
