import Foundation

/// How a channel sources an order line that names no location (DESIGN.md §5a).
public enum SourcingPolicy: String, Codable, Sendable, CaseIterable {
    /// The order of the channel's `locations`.
    case priority
    /// The `[distances]` table, from the pickup store or the order's destination (priority order without one).
    case nearest
    /// The location with the most available units first.
    case mostAvailable = "most_available"
}

/// An order (or a reservation) to source: every line is reserved where stock exists, split over
/// locations when no single one covers it, all in one transaction.
public struct SourcingRequest: Encodable, Sendable, Equatable {
    /// One SKU line; a bundle line reserves its components.
    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int
        /// The location the channel named: taken from first.
        public var location: String?

        public init(sku: String, quantity: Int, location: String? = nil) {
            self.sku = sku
            self.quantity = quantity
            self.location = location
        }
    }

    /// The channel whose locations and policy source the lines; nil sources only from the lines' locations.
    public var channel: String?
    public var externalRef: String?
    public var kind: ReservationKind
    public var lines: [Line]
    /// Pickup orders: the store taken from first; what it lacks becomes a transfer proposal.
    public var pickupStore: String?
    /// Where a shipped order goes (a store or region of the distance table), for `nearest`.
    public var destination: String?
    /// When the reservations lapse; not part of the request's identity (a replay computes it anew).
    public var expiresAt: Date?
    /// False (orders the channel has already sold): lines are sourced over the channel's locations and a shortfall
    /// is reserved as far as stock goes and recorded as a backorder. True (the admin API's reservations): each
    /// line is taken only from its own location and any shortfall refuses the whole request (`insufficientStock`).
    public var strict: Bool

    public init(
        channel: String?, externalRef: String?, kind: ReservationKind, lines: [Line], pickupStore: String? = nil,
        destination: String? = nil, expiresAt: Date? = nil, strict: Bool = false
    ) {
        self.channel = channel
        self.externalRef = externalRef
        self.kind = kind
        self.lines = lines
        self.pickupStore = pickupStore
        self.destination = destination
        self.expiresAt = expiresAt
        self.strict = strict
    }

    enum CodingKeys: String, CodingKey {
        case channel, externalRef, kind, lines, pickupStore, destination, strict
    }
}

/// Units of a line (or of one bundle component) that no location could hold: a backorder.
public struct Backorder: Codable, Sendable, Equatable {
    /// The line's index in the request.
    public var line: Int
    public var sku: String
    /// The bundle the component was ordered in, if any.
    public var bundleSKU: String?
    public var requested: Int
    public var reserved: Int
    public var missing: Int { requested - reserved }
}

/// Units of a pickup line held away from the pickup store, to be transferred there.
public struct PickupTransfer: Codable, Sendable, Equatable {
    public var line: Int
    public var sku: String
    public var from: String
    public var to: String
    public var quantity: Int
    /// `from`'s distance to the store, when the distance table knows it.
    public var distance: Int?
    public var reservation: String
}

/// What sourcing reserved, what it could not, and the transfers pickup orders need.
public struct SourcingOutcome: Codable, Sendable, Equatable {
    public var reservations: [Reservation]
    public var backorders: [Backorder]
    public var transfers: [PickupTransfer]
}
