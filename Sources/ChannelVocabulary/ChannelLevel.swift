/// One value Omnistock wants a channel to show for a SKU at a location scope.
package struct ChannelLevel: Sendable, Hashable {
    /// The Omnistock SKU.
    package var sku: String
    /// The Omnistock location code, or ``ChannelLevel/pooled`` for a location-less value.
    package var location: String
    /// The quantity to publish (≥ 0).
    package var value: Int
    /// The ledger version this value was computed from; grows for a given (SKU, location).
    package var version: Int64
    /// The value last pushed successfully, if known (Shopify's `changeFromQuantity`, Allegro's ended offers).
    package var previousValue: Int?
    /// The channel's id for this SKU (listing): Shopify inventory item, WooCommerce product, Allegro offer.
    package var externalID: String?
    /// For a lag-aware channel that takes its own sales from the value written (Allegro): what is needed to leave
    /// its unseen sales out of an absolute write; nil otherwise.
    package var unseenSales: UnseenSales?

    /// The location scope of a pooled value.
    package static let pooled = "*"

    /// Creates a level.
    package init(
        sku: String, location: String, value: Int, version: Int64, previousValue: Int? = nil, externalID: String? = nil,
        unseenSales: UnseenSales? = nil
    ) {
        self.sku = sku
        self.location = location
        self.value = value
        self.version = version
        self.previousValue = previousValue
        self.externalID = externalID
        self.unseenSales = unseenSales
    }
}

/// A level as a channel currently shows it (for reconcile).
package struct ChannelLevelSnapshot: Sendable, Hashable {
    /// The Omnistock SKU, when the channel knows it.
    package var sku: String?
    /// The Omnistock location code, or ``ChannelLevel/pooled``.
    package var location: String
    /// The available quantity the channel shows.
    package var available: Int
    /// A physical count the channel reports (stores), if any.
    package var onHand: Int?
    /// The channel's id for the item, if any.
    package var externalID: String?
    /// The item's barcode (GTIN/EAN) at the channel, where the vendor exposes one (``ListingMatch/barcode``).
    package var barcode: String?
    /// Whether the channel limits sales by this listing's stock; `false` (WooCommerce `manage_stock` off)
    /// means it sells without limit whatever ``available`` says.
    package var tracksStock: Bool

    /// Creates a snapshot.
    package init(
        sku: String?, location: String, available: Int, onHand: Int? = nil, externalID: String? = nil, tracksStock: Bool = true,
        barcode: String? = nil
    ) {
        self.sku = sku
        self.barcode = barcode.flatMap { $0.isEmpty ? nil : $0 }
        self.location = location
        self.available = available
        self.onHand = onHand
        self.externalID = externalID
        self.tracksStock = tracksStock
    }
}

/// One page of a paged listing.
package struct Page<Item: Sendable>: Sendable {
    /// The items of this page.
    package var items: [Item]
    /// Where to continue: pass it to the next call. For orders it is also the resume point to store
    /// once the items are committed, even when ``hasMore`` is false.
    package var nextCursor: String?
    /// Whether another page follows at once.
    package var hasMore: Bool

    /// Creates a page.
    package init(items: [Item], nextCursor: String?, hasMore: Bool) {
        self.items = items
        self.nextCursor = nextCursor
        self.hasMore = hasMore
    }
}

extension Page: Equatable where Item: Equatable {}
