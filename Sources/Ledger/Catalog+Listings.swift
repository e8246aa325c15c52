import PostgresClient

/// A channel's id for one SKU in one scope (DESIGN.md §5a), set by an operator or found by discovery.
package struct ListingMapping: Codable, Sendable, Equatable {
    package var channel: String
    package var sku: String
    package var externalID: String
    /// A location code, or nil for every location of the channel (`*`).
    package var location: String?
    /// `manual` (set by an operator: discovery never replaces it) or `discovered`.
    package var source: String

    package init(channel: String, sku: String, externalID: String, location: String? = nil, source: String = "manual") {
        self.channel = channel
        self.sku = sku
        self.externalID = externalID
        self.location = location
        self.source = source
    }
}

/// Why a set of listing mappings was refused; nothing was stored.
package struct ListingMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per problem.
    package var problems: [String]

    package init(problems: [String]) { self.problems = problems }

    package var description: String { problems.joined(separator: "\n") + "\n(nothing was stored)" }
}

extension Catalog {
    /// Sets listings by hand, all of them or none, replacing whatever mapped the same (channel, SKU, scope) before,
    /// discovered or not; each changed target gets a new version, so the ledger's value goes to the new id at once.
    /// Refused with every problem: unknown channel, SKU or location, a location the channel does not sell from,
    /// an empty or over-long id, the same (channel, SKU, scope) twice. `line` numbers the problems (file lines).
    package func setListings(_ mappings: [ListingMapping], lines: [Int]? = nil) throws {
        try changingTargets { connection in
            let channels = Set(
                try connection.query("SELECT code FROM channels WHERE code = ANY ($1::text[])", [Array(Set(mappings.map(\.channel)))])
                    .map { try $0.decode(String.self, at: 0) })
            let skus = Set(
                try connection.query("SELECT sku FROM skus WHERE sku = ANY ($1::text[])", [Array(Set(mappings.map(\.sku)))])
                    .map { try $0.decode(String.self, at: 0) })
            var sells: Set<String> = []
            for row in try connection.query("SELECT channel, location FROM channel_locations WHERE channel = ANY ($1::text[])", [Array(channels)]) {
                sells.insert("\(try row.decode(String.self, at: 0))/\(try row.decode(String.self, at: 1))")
            }
            var problems: [String] = []
            var seen: Set<String> = []
            for (index, mapping) in mappings.enumerated() {
                let at = lines.map { "line \($0[index]): " } ?? ""
                if !channels.contains(mapping.channel) { problems.append("\(at)unknown channel \(mapping.channel)") }
                if !skus.contains(mapping.sku) { problems.append("\(at)unknown SKU \(mapping.sku)") }
                if let location = mapping.location, channels.contains(mapping.channel), !sells.contains("\(mapping.channel)/\(location)") {
                    problems.append("\(at)channel \(mapping.channel) does not sell from \(location)")
                }
                if mapping.externalID.isEmpty || mapping.externalID.utf8.count > 200 {
                    problems.append("\(at)external_id must be 1 to 200 bytes")
                }
                if !seen.insert("\(mapping.channel)/\(mapping.sku)/\(mapping.location ?? "*")").inserted {
                    problems.append("\(at)\(mapping.channel) \(mapping.sku) \(mapping.location ?? "*") is mapped twice")
                }
            }
            guard problems.isEmpty else { throw ListingMappingError(problems: problems) }
            try connection.query(
                """
                INSERT INTO listings AS l (channel, sku, location_scope, external_id, details)
                SELECT channel, sku, scope, id, '{"source": "manual"}'
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS m(channel, sku, scope, id)
                ON CONFLICT (channel, sku, location_scope) DO UPDATE
                    SET external_id = EXCLUDED.external_id, details = l.details || EXCLUDED.details
                """,
                [mappings.map(\.channel), mappings.map(\.sku), mappings.map { $0.location ?? "*" }, mappings.map(\.externalID)])
            // The operator has chosen among duplicate matches: their conflicts are settled.
            try ConflictStore.resolveDuplicateListingsSetByHand(channels: mappings.map(\.channel), skus: mappings.map(\.sku), on: connection)
            try OutboxStore.pushAgain(channels: mappings.map(\.channel), skus: mappings.map(\.sku), on: connection)
        }
    }

    /// A channel's listings, by SKU and scope; nil for an unknown channel.
    package func listings(channel: String) throws -> [ListingMapping]? {
        try pool.query(
            """
            SELECT l.channel, l.sku, l.external_id, NULLIF(l.location_scope, '*'), COALESCE(l.details->>'source', 'discovered')
            FROM channels c LEFT JOIN listings l ON l.channel = c.code WHERE c.code = $1 ORDER BY l.sku, l.location_scope
            """, [channel]
        ) { rows in
            guard rows.first != nil else { return nil }
            return try rows.filter { try $0.decode(String?.self, at: 0) != nil }.map { row in
                ListingMapping(
                    channel: try row.decode(at: 0), sku: try row.decode(at: 1), externalID: try row.decode(at: 2),
                    location: try row.decode(String?.self, at: 3), source: try row.decode(at: 4))
            }
        }
    }

    /// Removes a listing (discovery may find the SKU again); false when there was none.
    package func removeListing(channel: String, sku: String, location: String? = nil) throws -> Bool {
        try changingTargets { connection in
            let removed =
                try connection.query(
                    "DELETE FROM listings WHERE channel = $1 AND sku = $2 AND location_scope = $3", [channel, sku, location ?? "*"]
                ).affectedRows > 0
            if removed { try OutboxStore.pushAgain(channels: [channel], skus: [sku], on: connection) }
            return removed
        }
    }

    /// A page of SKUs `channel` has no listing for, after `after` in SKU order, with the key discovery matches them
    /// by: the SKU, or (`byBarcode`) the barcode, leaving out SKUs without one.
    package static func unlistedSKUs(
        channel: String, after: String, limit: Int, byBarcode: Bool, pool: PostgresPool
    ) throws -> [(sku: String, key: String)] {
        try pool.query(
            """
            SELECT s.sku, CASE WHEN $4 = 'barcode' THEN s.barcode ELSE s.sku END AS key FROM skus s WHERE s.sku > $2
              AND ($4 = 'sku' OR s.barcode IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = $1 AND l.sku = s.sku)
            ORDER BY s.sku LIMIT $3
            """, [channel, after, limit, byBarcode ? "barcode" : "sku"]
        ) { rows in try rows.map { (sku: try $0.decode(String.self, at: 0), key: try $0.decode(String.self, at: 1)) } }
    }

    /// The SKUs `channel`'s listings map each of `externalIDs` to (those with a listing only).
    package static func listedSKUs(channel: String, externalIDs: [String], on connection: PostgresConnection) throws -> [String: [String]] {
        var listed: [String: [String]] = [:]
        for row in try connection.query(
            "SELECT external_id, sku FROM listings WHERE channel = $1 AND external_id = ANY ($2::text[])", [channel, externalIDs])
        {
            listed[try row.decode(String.self, at: 0), default: []].append(try row.decode(String.self, at: 1))
        }
        return listed
    }

    /// Stores the listings discovery found (skus[i] → externalIDs[i], matched by `match`), never over an existing one.
    package static func storeDiscoveredListings(
        channel: String, skus: [String], externalIDs: [String], match: String, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO listings (channel, sku, external_id, details)
            SELECT $1, sku, id, jsonb_build_object('source', 'discovered', 'match', $4::text)
            FROM unnest($2::text[], $3::text[]) AS found(sku, id)
            ON CONFLICT (channel, sku, location_scope) DO NOTHING
            """, [channel, skus, externalIDs, match])
    }

    /// The SKU a listing of `channel` maps `externalID` to, if any.
    package static func sku(channel: String, externalID: String, pool: PostgresPool) throws -> String? {
        try pool.query(
            "SELECT sku FROM listings WHERE channel = $1 AND external_id = $2 LIMIT 1", [channel, externalID]
        ) { try $0.first?.decode(String.self, at: 0) }
    }
}
