import PostgresClient

/// A channel's id for one SKU in one scope (DESIGN.md §5a), set by an operator or found by discovery.
public struct ListingMapping: Codable, Sendable, Equatable {
    public var channel: String
    public var sku: String
    public var externalID: String
    /// A location code, or nil for every location of the channel (`*`).
    public var location: String?
    /// `manual` (set by an operator: discovery never replaces it) or `discovered`.
    public var source: String

    public init(channel: String, sku: String, externalID: String, location: String? = nil, source: String = "manual") {
        self.channel = channel
        self.sku = sku
        self.externalID = externalID
        self.location = location
        self.source = source
    }
}

/// Why a set of listing mappings was refused; nothing was stored.
public struct ListingMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per problem.
    public var problems: [String]

    public init(problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "\n") + "\n(nothing was stored)" }
}

extension Catalog {
    /// Sets listings by hand, all of them or none, replacing whatever mapped the same (channel, SKU, scope) before,
    /// discovered or not; each changed target gets a new version, so the ledger's value goes to the new id at once.
    /// Refused with every problem: unknown channel, SKU or location, a location the channel does not sell from,
    /// an empty or over-long id, the same (channel, SKU, scope) twice. `line` numbers the problems (file lines).
    public func setListings(_ mappings: [ListingMapping], lines: [Int]? = nil) throws {
        try pool.transaction { connection in
            let channels = Set(try connection.query("SELECT code FROM channels WHERE code = ANY ($1::text[])", [Array(Set(mappings.map(\.channel)))])
                .map { try $0.decode(String.self, at: 0) })
            let skus = Set(try connection.query("SELECT sku FROM skus WHERE sku = ANY ($1::text[])", [Array(Set(mappings.map(\.sku)))])
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
            try connection.query(
                """
                UPDATE conflicts c SET resolved_at = now(), resolution = 'listing set by hand'
                FROM unnest($1::text[], $2::text[]) AS m(channel, sku)
                WHERE c.kind = 'duplicate_listing' AND c.resolved_at IS NULL AND c.channel = m.channel AND c.sku = m.sku
                """, [mappings.map(\.channel), mappings.map(\.sku)])
            try Self.pushAgain(channels: mappings.map(\.channel), skus: mappings.map(\.sku), on: connection)
        }
    }

    /// A channel's listings, by SKU and scope; nil for an unknown channel.
    public func listings(channel: String) throws -> [ListingMapping]? {
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
    public func removeListing(channel: String, sku: String, location: String? = nil) throws -> Bool {
        try pool.transaction { connection in
            let removed = try connection.query(
                "DELETE FROM listings WHERE channel = $1 AND sku = $2 AND location_scope = $3", [channel, sku, location ?? "*"]
            ).affectedRows > 0
            if removed { try Self.pushAgain(channels: [channel], skus: [sku], on: connection) }
            return removed
        }
    }

    /// Gives the targets of (channels[i], skus[i]) a new version, so they are pushed to the listing now in force.
    private static func pushAgain(channels: [String], skus: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE outbox o SET wanted_version = nextval('ledger_version_seq'), permanent_error = false, attempts = 0,
                next_attempt_at = now(), changed_at = clock_timestamp()
            FROM unnest($1::text[], $2::text[]) AS t(channel, sku)
            WHERE o.channel = t.channel AND o.sku = t.sku
            """, [channels, skus])
        try connection.query("SELECT pg_notify('omnistock_outbox', '')")
    }
}
