import Foundation
import PostgresClient

/// What a reservation holds stock for.
package enum ReservationKind: String, Codable, Sendable, CaseIterable {
    /// A shopper's checkout in progress; short expiry.
    case checkout
    /// A placed order waiting to ship.
    case order
    /// Click-and-collect: held at a store until picked up.
    case pickup
}

/// Where a reservation is in its life.
package enum ReservationStatus: String, Codable, Sendable {
    case active, committed, released, expired
}

/// Units of one SKU held at one location.
package struct Reservation: Codable, Sendable, Equatable {
    package var id: String
    package var sku: String
    package var location: String
    package var quantity: Int
    package var kind: ReservationKind
    package var status: ReservationStatus
    /// The channel that asked for it, if any.
    package var channel: String?
    /// The channel's order reference, if any.
    package var externalRef: String?
    package var expiresAt: Date?
    /// Shared by the parts of one split order line or one bundle; nil for a reservation taken whole.
    package var group: String?
    /// The bundle this component part serves, and how many of it (the group holds all its components).
    package var bundleSKU: String?
    package var bundleQuantity: Int?

    static let columns = "id, sku, location, quantity, kind, status, channel, external_ref, expires_at, group_id, bundle_sku, bundle_quantity"

    /// SQL building the JSON this type decodes from the `reservations` columns of the row named `row` (times to the
    /// second, as `JSONEncoder` writes them in ISO 8601).
    static func jsonObject(of row: String) -> String {
        """
        jsonb_build_object(
            'id', \(row).id, 'sku', \(row).sku, 'location', \(row).location, 'quantity', \(row).quantity, 'kind', \(row).kind,
            'status', \(row).status, 'channel', \(row).channel, 'externalRef', \(row).external_ref,
            'expiresAt', to_char(\(row).expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'group', \(row).group_id, 'bundleSKU', \(row).bundle_sku, 'bundleQuantity', \(row).bundle_quantity)
        """
    }

    /// A value (the stand-in for a bundle reservation, say) built from its parts.
    init(
        id: String, sku: String, location: String, quantity: Int, kind: ReservationKind, status: ReservationStatus,
        channel: String?, externalRef: String?, expiresAt: Date?, group: String? = nil
    ) {
        self.id = id
        self.sku = sku
        self.location = location
        self.quantity = quantity
        self.kind = kind
        self.status = status
        self.channel = channel
        self.externalRef = externalRef
        self.expiresAt = expiresAt
        self.group = group
    }

    /// SQL selecting `columns` of the row named `row` with the expiry to the second, as `jsonObject(of:)` writes it:
    /// a receipt decoded from these columns equals the one stored as JSON for a repeated request.
    static func receiptColumns(of row: String) -> String {
        columns.split(separator: ", ").map { $0 == "expires_at" ? "date_trunc('second', \(row).\($0))" : "\(row).\($0)" }
            .joined(separator: ", ")
    }

    /// Decodes `columns` (or `receiptColumns(of:)`) starting at column `offset`.
    init(row: PostgresRow, offset: Int = 0) throws {
        id = try row.decode(at: offset)
        sku = try row.decode(at: offset + 1)
        location = try row.decode(at: offset + 2)
        quantity = try row.decode(at: offset + 3)
        kind = ReservationKind(rawValue: try row.decode(at: offset + 4)) ?? .order
        status = ReservationStatus(rawValue: try row.decode(at: offset + 5)) ?? .active
        channel = try row.decode(String?.self, at: offset + 6)
        externalRef = try row.decode(String?.self, at: offset + 7)
        expiresAt = try row.decode(Date?.self, at: offset + 8)
        group = try row.decode(String?.self, at: offset + 9)
        bundleSKU = try row.decode(String?.self, at: offset + 10)
        bundleQuantity = try row.decode(Int?.self, at: offset + 11)
    }

    /// How many columns `init(row:offset:)` decodes.
    static let columnCount = columns.split(separator: ", ").count
}

/// A request to hold stock.
package struct ReservationRequest: Codable, Sendable, Equatable {
    package var sku: String
    package var location: String
    package var quantity: Int
    package var kind: ReservationKind
    package var channel: String?
    package var externalRef: String?
    /// When it lapses; nil holds until released or committed.
    package var expiresAt: Date?

    package init(
        sku: String, location: String, quantity: Int, kind: ReservationKind,
        channel: String? = nil, externalRef: String? = nil, expiresAt: Date? = nil
    ) {
        self.sku = sku
        self.location = location
        self.quantity = quantity
        self.kind = kind
        self.channel = channel
        self.externalRef = externalRef
        self.expiresAt = expiresAt
    }
}

/// The outcome of `reserve`: the reservation and the level it left. For a bundle, `reservation` stands for
/// the whole bundle (its id is the group's) and `components` are the parts held for it.
package struct ReservationReceipt: Codable, Sendable, Equatable {
    package var reservation: Reservation
    package var level: LevelSnapshot?
    package var components: [Reservation]?

    init(reservation: Reservation, level: LevelSnapshot?, components: [Reservation]? = nil) {
        self.reservation = reservation
        self.level = level
        self.components = components
    }

    /// SQL selecting the columns `init(row:offset:)` decodes: the reservation of the row named `reservation`, then
    /// the level of the row named `level`. Cheaper to return than the receipt's JSON (`StockLedger.receiptJSON`):
    /// no JSON to print in the server and parse in the client.
    static func columns(reservation: String, level: String) -> String {
        "\(Reservation.receiptColumns(of: reservation)), \(LevelSnapshot.columns(of: level))"
    }

    /// Decodes `columns(reservation:level:)` starting at column `offset`.
    init(row: PostgresRow, offset: Int = 0) throws {
        self.init(
            reservation: try Reservation(row: row, offset: offset),
            level: try LevelSnapshot(row: row, offset: offset + Reservation.columnCount))
    }
}

enum ReservationID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A sortable id: `r_` + 10 characters of millisecond time + 16 random, Crockford base32 (ULID layout).
    ///
    /// On the hot path of every reservation: the 80 random bits come from two draws of the system generator, not
    /// one draw per character.
    static func make(now: Date = Date()) -> String {
        var random = SystemRandomNumberGenerator()
        var bits = (random.next() as UInt64, random.next() as UInt64)
        var time = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var characters = [UInt8](repeating: 0, count: 28)
        characters[0] = UInt8(ascii: "r")
        characters[1] = UInt8(ascii: "_")
        for index in stride(from: 11, through: 2, by: -1) {
            characters[index] = alphabet[Int(time % 32)]
            time /= 32
        }
        for index in 12..<28 {
            characters[index] = alphabet[Int(bits.0 & 31)]
            (bits.0, bits.1) = (bits.0 >> 5 | bits.1 << 59, bits.1 >> 5)
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
