import PostgresClient

/// A stock-holding place, as configured.
package struct LocationDefinition: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable { case warehouse, store }
    package var code: String
    package var name: String
    package var kind: Kind
    package var shipsOnline: Bool
    package var clickAndCollect: Bool
    package var pickupBuffer: Int
    package var timezone: String

    package init(
        code: String, name: String = "", kind: Kind, shipsOnline: Bool = true, clickAndCollect: Bool = false,
        pickupBuffer: Int = 0, timezone: String = "UTC"
    ) {
        self.code = code
        self.name = name
        self.kind = kind
        self.shipsOnline = shipsOnline
        self.clickAndCollect = clickAndCollect
        self.pickupBuffer = pickupBuffer
        self.timezone = timezone
    }
}

/// A sales channel's identity and allocation rule (DESIGN.md §5).
package struct ChannelDefinition: Codable, Sendable, Equatable {
    package var code: String
    /// `shopify`, `woocommerce`, `allegro` or `omnistock-json`.
    package var kind: String
    /// True when the channel gets one value per location; false for a pooled value.
    package var modelsLocations: Bool
    /// Locations whose stock the channel sells; nil means every `ships_online` location.
    package var locations: [String]?
    package var buffer: Int
    package var share: Int
    package var maxQuantity: Int?
    package var minVisible: Int
    /// How order lines that name no location are sourced over `locations` (DESIGN.md §5a).
    package var sourcing: SourcingPolicy
    /// Whether the channel is told about pickup reservations at its stores (its adapter's capability).
    package var holdsReservations: Bool
    /// Whether the channel addresses SKUs through listings that discovery must find (its adapter's capability).
    package var needsListings: Bool
    /// Holds back units for SKUs running low while changes travel to the channel; nil: static `buffer` only.
    package var lagAware: LagAwareBuffer?
    /// When a SKU's pool has this many units or fewer, the channel shows 0 if a channel selling from the same
    /// stock has a higher `priority`; nil: never.
    package var lastUnits: Int?
    /// Which channels keep showing the last units (the highest wins).
    package var priority: Int

    package init(
        code: String, kind: String, modelsLocations: Bool, locations: [String]? = nil, buffer: Int = 0,
        share: Int = 100, maxQuantity: Int? = nil, minVisible: Int = 0, sourcing: SourcingPolicy = .priority,
        holdsReservations: Bool = false, needsListings: Bool = true, lagAware: LagAwareBuffer? = nil, lastUnits: Int? = nil,
        priority: Int = 0
    ) {
        self.lagAware = lagAware
        self.lastUnits = lastUnits
        self.priority = priority
        self.sourcing = sourcing
        self.holdsReservations = holdsReservations
        self.needsListings = needsListings
        self.code = code
        self.kind = kind
        self.modelsLocations = modelsLocations
        self.locations = locations
        self.buffer = buffer
        self.share = share
        self.maxQuantity = maxQuantity
        self.minVisible = minVisible
    }
}

/// Catalogue and configuration writes: SKUs, bundles, locations, channels.
package struct Catalog: Sendable {
    package let pool: PostgresPool

    package init(pool: PostgresPool) { self.pool = pool }

    /// Creates the SKU or renames it; a `barcode` (GTIN/EAN, matched by channels with `match = "barcode"`)
    /// replaces the stored one, nil keeps it.
    package func upsertSKU(_ sku: String, name: String = "", kind: String = "item", barcode: String? = nil) throws {
        try pool.execute(
            """
            INSERT INTO skus (sku, name, kind, barcode) VALUES ($1, $2, $3, NULLIF($4, ''))
            ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
                barcode = COALESCE(EXCLUDED.barcode, skus.barcode)
            """, [sku, name, kind, barcode])
    }

    /// Defines `bundle` as `components` (SKU → units per bundle), replacing any earlier definition,
    /// and marks its channel targets due (see `defineBundles`).
    package func defineBundle(_ bundle: String, name: String = "", components: [String: Int]) throws {
        try defineBundles([
            BundleDefinition(
                sku: bundle, name: name,
                components: components.sorted { $0.key < $1.key }.map { BundleComponent(sku: $0.key, quantity: $0.value) })
        ])
    }

    /// Creates or updates a location; changes to pickup settings mark channel targets due.
    package func upsertLocation(_ location: LocationDefinition) throws {
        try changingTargets { connection in
            let changed =
                try connection.query(
                    """
                    INSERT INTO locations AS l (code, name, kind, ships_online, click_and_collect, pickup_buffer, timezone)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
                        ships_online = EXCLUDED.ships_online, click_and_collect = EXCLUDED.click_and_collect,
                        pickup_buffer = EXCLUDED.pickup_buffer, timezone = EXCLUDED.timezone
                    WHERE (l.name, l.kind, l.ships_online, l.click_and_collect, l.pickup_buffer, l.timezone)
                        IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.ships_online, EXCLUDED.click_and_collect,
                                          EXCLUDED.pickup_buffer, EXCLUDED.timezone)
                    """,
                    [
                        location.code, location.name, location.kind.rawValue, location.shipsOnline, location.clickAndCollect,
                        location.pickupBuffer, location.timezone,
                    ]
                ).affectedRows > 0
            if changed { try OutboxStore.markDue(location: location.code, on: connection) }
        }
    }

    /// Creates or updates a channel and its locations; a changed rule marks all its targets due.
    package func upsertChannel(_ channel: ChannelDefinition) throws {
        try changingTargets { connection in
            let lag = channel.lagAware ?? LagAwareBuffer()
            let row = try connection.query(
                """
                WITH before AS (SELECT priority FROM channels WHERE code = $1),
                upserted AS (
                    INSERT INTO channels AS c (code, kind, models_locations, buffer, share, max_quantity, min_visible, sourcing,
                                               holds_reservations, needs_listings, buffer_mode, lag_window_seconds, lag_cap,
                                               low_stock, visibility_delay_seconds, last_units, priority)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                    ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, models_locations = EXCLUDED.models_locations,
                        buffer = EXCLUDED.buffer, share = EXCLUDED.share, max_quantity = EXCLUDED.max_quantity,
                        min_visible = EXCLUDED.min_visible, sourcing = EXCLUDED.sourcing,
                        holds_reservations = EXCLUDED.holds_reservations, needs_listings = EXCLUDED.needs_listings,
                        buffer_mode = EXCLUDED.buffer_mode, lag_window_seconds = EXCLUDED.lag_window_seconds,
                        lag_cap = EXCLUDED.lag_cap, low_stock = EXCLUDED.low_stock,
                        visibility_delay_seconds = EXCLUDED.visibility_delay_seconds, last_units = EXCLUDED.last_units,
                        priority = EXCLUDED.priority, updated_at = now()
                    WHERE (c.kind, c.models_locations, c.buffer, c.share, c.max_quantity, c.min_visible, c.sourcing,
                           c.holds_reservations, c.needs_listings, c.buffer_mode, c.lag_window_seconds, c.lag_cap, c.low_stock,
                           c.visibility_delay_seconds, c.last_units, c.priority)
                        IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.models_locations, EXCLUDED.buffer, EXCLUDED.share,
                                          EXCLUDED.max_quantity, EXCLUDED.min_visible, EXCLUDED.sourcing,
                                          EXCLUDED.holds_reservations, EXCLUDED.needs_listings, EXCLUDED.buffer_mode,
                                          EXCLUDED.lag_window_seconds, EXCLUDED.lag_cap, EXCLUDED.low_stock,
                                          EXCLUDED.visibility_delay_seconds, EXCLUDED.last_units, EXCLUDED.priority)
                    RETURNING priority)
                SELECT EXISTS (SELECT 1 FROM upserted),
                       EXISTS (SELECT 1 FROM upserted) AND (SELECT priority FROM upserted) <> COALESCE((SELECT priority FROM before), 0)
                """,
                [
                    channel.code, channel.kind, channel.modelsLocations, channel.buffer, channel.share, channel.maxQuantity,
                    channel.minVisible, channel.sourcing.rawValue, channel.holdsReservations, channel.needsListings,
                    channel.lagAware == nil ? "static" : "lag_aware", lag.window, lag.cap, lag.lowStock, lag.visibilityDelay,
                    channel.lastUnits, channel.priority,
                ])[0]
            let changed: Bool = try row.decode(at: 0)
            if try row.decode(Bool.self, at: 1) {
                // A priority decides which other channels keep showing the last units (`last_units`).
                try OutboxStore.markDue(on: connection)
            }
            let locations: [String]
            if let configured = channel.locations {
                locations = configured
            } else {
                locations = try connection.query("SELECT code FROM locations WHERE ships_online ORDER BY code")
                    .map { try $0.decode(String.self, at: 0) }
            }
            let locationsChanged =
                try connection.query(
                    """
                    WITH wanted AS (SELECT location, position::int FROM unnest($2::text[]) WITH ORDINALITY AS w(location, position)),
                    removed AS (DELETE FROM channel_locations WHERE channel = $1
                                AND location NOT IN (SELECT location FROM wanted) RETURNING 1),
                    added AS (INSERT INTO channel_locations AS cl (channel, location, position) SELECT $1, location, position FROM wanted
                              ON CONFLICT (channel, location) DO UPDATE SET position = EXCLUDED.position
                              WHERE cl.position IS DISTINCT FROM EXCLUDED.position RETURNING xmax = 0 AS inserted)
                    SELECT (SELECT count(*) FROM removed) + (SELECT count(*) FROM added WHERE inserted)
                    """, [channel.code, locations]
                )[0].decode(Int.self, at: 0) > 0
            if changed || locationsChanged {
                try OutboxStore.dropLocationTargets(channel: channel.code, modelsLocations: channel.modelsLocations, on: connection)
                try OutboxStore.markDue(channel: channel.code, on: connection)
            }
        }
    }

    /// Replaces the distance table (`[distances]`: origin → location → distance; an origin is a store or a region).
    package func replaceDistances(_ distances: [String: [String: Int]]) throws {
        let rows = distances.flatMap { origin, row in row.map { (origin, $0.key, $0.value) } }
        try pool.transaction { connection in
            try connection.query("DELETE FROM location_distances")
            try connection.query(
                "INSERT INTO location_distances (origin, location, distance) SELECT * FROM unnest($1::text[], $2::text[], $3::int[])",
                [rows.map(\.0), rows.map(\.1), rows.map(\.2)])
        }
    }

    /// Deletes channels no longer configured, with their outbox targets, listings and state.
    package func removeChannels(except codes: [String]) throws {
        try pool.execute("DELETE FROM channels WHERE code <> ALL ($1::text[])", [codes])
    }

    /// Runs `body` in one transaction that may mark channel targets due, and wakes the sync workers after
    /// its commit (`WakeAfterCommit`; a lost wake-up only delays the push until the workers' next scan).
    func changingTargets<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let result = try pool.transaction(body)
        try? WakeAfterCommit.send(.outbox, pool: pool)
        return result
    }
}
