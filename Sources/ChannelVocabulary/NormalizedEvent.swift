import Foundation

/// A channel event in Omnistock's terms, whatever the channel's payload looked like.
package struct NormalizedEvent: Sendable, Hashable {
    /// What happened.
    package enum Kind: String, Sendable, Hashable {
        /// An order was placed (lines reserve or sell stock).
        case orderCreated
        /// An order was cancelled (its reservations are released).
        case orderCancelled
        /// An order was picked up or shipped (reservations become sales).
        case orderFulfilled
        /// A physical count: each line's quantity is the counted on-hand value.
        case stockCounted
        /// A stock change: each line's quantity is a signed delta.
        case stockAdjusted
        /// The channel's own value changed (e.g. edited by hand): a drift signal; each line's quantity is the channel's value.
        case channelLevelChanged
    }

    /// How an order reaches its buyer.
    package enum Fulfillment: String, Sendable, Hashable {
        /// Collected at a store.
        case pickup
        /// Shipped.
        case ship
    }

    /// One SKU line.
    package struct Line: Sendable, Hashable {
        /// The Omnistock SKU, when the payload carries it.
        package var sku: String?
        /// The channel's item id (offer, inventory item, product), when the payload carries it.
        package var externalID: String?
        /// The quantity; its meaning depends on ``Kind``.
        package var quantity: Int
        /// The Omnistock location code, when known.
        package var location: String?

        /// Creates a line.
        package init(sku: String?, externalID: String? = nil, quantity: Int, location: String? = nil) {
            self.sku = sku
            self.externalID = externalID
            self.quantity = quantity
            self.location = location
        }
    }

    /// A key unique per event and stable across redeliveries (for the inbox and idempotent ledger writes).
    package var id: String
    /// What happened.
    package var kind: Kind
    /// The channel's order reference, for order events.
    package var orderRef: String?
    /// The SKU lines.
    package var lines: [Line]
    /// How the order is fulfilled, when the channel says.
    package var fulfillment: Fulfillment?
    /// The Omnistock pickup location, for pickup orders.
    package var pickupLocation: String?
    /// Why stock changed (adjustments), e.g. `damaged`, `return`.
    package var reason: String?
    /// An external reference (POS receipt, refund id).
    package var reference: String?
    /// When it happened, if the payload says.
    package var occurredAt: Date?
    /// The channel's own event id when it differs from the delivery id (`X-Shopify-Event-Id`).
    package var sourceEventID: String?
    /// Where a shipped order goes, as an origin of the `[distances]` table (a store or region), for `nearest` sourcing.
    package var destination: String?

    /// Creates an event.
    package init(
        id: String, kind: Kind, orderRef: String? = nil, lines: [Line] = [],
        fulfillment: Fulfillment? = nil, pickupLocation: String? = nil, reason: String? = nil,
        reference: String? = nil, occurredAt: Date? = nil, sourceEventID: String? = nil, destination: String? = nil
    ) {
        self.destination = destination
        self.id = id
        self.kind = kind
        self.orderRef = orderRef
        self.lines = lines
        self.fulfillment = fulfillment
        self.pickupLocation = pickupLocation
        self.reason = reason
        self.reference = reference
        self.occurredAt = occurredAt
        self.sourceEventID = sourceEventID
    }
}
