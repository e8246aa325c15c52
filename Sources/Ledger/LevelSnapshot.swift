import PostgresClient

/// One row of `levels` as it stood after an operation.
package struct LevelSnapshot: Codable, Sendable, Equatable {
    package var sku: String
    package var location: String
    package var onHand: Int
    package var reserved: Int
    /// Ledger version of the last change; grows with every change of this level.
    package var version: Int64
    /// Set when a physical count left fewer units than are reserved (an accepted conflict).
    package var oversold: Bool

    /// `on_hand − reserved` (negative only while oversold).
    package var available: Int { onHand - reserved }

    /// The columns `levelColumns` selects, in order.
    static let columns = "sku, location, on_hand, reserved, version, oversold"

    /// `columns` of the row named `row`.
    static func columns(of row: String) -> String {
        columns.split(separator: ", ").map { "\(row).\($0)" }.joined(separator: ", ")
    }

    /// SQL building the JSON this type decodes from the `levels` columns of the row named `row`.
    static func jsonObject(of row: String) -> String {
        """
        jsonb_build_object('sku', \(row).sku, 'location', \(row).location, 'onHand', \(row).on_hand, 'reserved', \(row).reserved,
            'version', \(row).version, 'oversold', \(row).oversold)
        """
    }

    init(row: PostgresRow, offset: Int = 0) throws {
        sku = try row.decode(at: offset)
        location = try row.decode(at: offset + 1)
        onHand = try row.decode(at: offset + 2)
        reserved = try row.decode(at: offset + 3)
        version = try row.decode(at: offset + 4)
        oversold = try row.decode(at: offset + 5)
    }
}

/// What a stock operation did: the movements it wrote and the levels it left.
package struct StockChange: Codable, Sendable, Equatable {
    /// Ids of the movements written (empty when nothing changed, e.g. a count equal to on hand).
    package var movementIDs: [Int64]
    /// The affected levels after the change.
    package var levels: [LevelSnapshot]

    enum CodingKeys: String, CodingKey {
        case movementIDs = "movementIds"
        case levels
    }
}
