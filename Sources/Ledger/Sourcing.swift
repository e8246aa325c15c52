import Foundation

/// How a channel sources an order line that names no location (DESIGN.md §5a).
package enum SourcingPolicy: String, Codable, Sendable, CaseIterable {
    /// The order of the channel's `locations`.
    case priority
    /// The `[distances]` table, from the pickup store or the order's destination (priority order without one).
    case nearest
    /// The location with the most available units first.
    case mostAvailable = "most_available"
}

/// An order (or a reservation) to source: every line is reserved where stock exists, split over
/// locations when no single one covers it, all in one transaction.
package struct SourcingRequest: Encodable, Sendable, Equatable {
    /// One SKU line; a bundle line reserves its components.
    package struct Line: Codable, Sendable, Equatable {
        package var sku: String
        package var quantity: Int
        /// The location the channel named: taken from first.
        package var location: String?

        package init(sku: String, quantity: Int, location: String? = nil) {
            self.sku = sku
            self.quantity = quantity
            self.location = location
        }
    }

    /// The channel whose locations and policy source the lines; nil sources only from the lines' locations.
    package var channel: String?
    package var externalRef: String?
    package var kind: ReservationKind
    package var lines: [Line]
    /// Pickup orders: the store taken from first; what it lacks becomes a transfer proposal.
    package var pickupStore: String?
    /// Where a shipped order goes (a store or region of the distance table), for `nearest`.
    package var destination: String?
    /// When the reservations lapse; not part of the request's identity (a replay computes it anew).
    package var expiresAt: Date?
    /// False (orders the channel has already sold): lines are sourced over the channel's locations and a shortfall
    /// is reserved as far as stock goes and recorded as a backorder. True (the admin API's reservations): each
    /// line is taken only from its own location and any shortfall refuses the whole request (`insufficientStock`).
    package var strict: Bool

    package init(
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
package struct Backorder: Codable, Sendable, Equatable {
    /// The line's index in the request.
    package var line: Int
    package var sku: String
    /// The bundle the component was ordered in, if any.
    package var bundleSKU: String?
    package var requested: Int
    package var reserved: Int
    package var missing: Int { requested - reserved }
}

/// Units of a pickup line held away from the pickup store, to be transferred there.
package struct PickupTransfer: Codable, Sendable, Equatable {
    package var line: Int
    package var sku: String
    package var from: String
    package var to: String
    package var quantity: Int
    /// `from`'s distance to the store, when the distance table knows it.
    package var distance: Int?
    package var reservation: String
}

/// What sourcing reserved, what it could not, and the transfers pickup orders need.
package struct SourcingOutcome: Codable, Sendable, Equatable {
    package var reservations: [Reservation]
    package var backorders: [Backorder]
    package var transfers: [PickupTransfer]
}
