/// One value Omnistock wants a channel to show for a SKU at a location scope.
public struct ChannelLevel: Sendable, Hashable {
    /// The Omnistock SKU.
    public var sku: String
    /// The Omnistock location code, or ``ChannelLevel/pooled`` for a location-less value.
    public var location: String
    /// The quantity to publish (≥ 0).
    public var value: Int
    /// The ledger version this value was computed from; grows for a given (SKU, location).
    public var version: Int64
    /// The value last pushed successfully, if known (Shopify's `changeFromQuantity`, Allegro's ended offers).
    public var previousValue: Int?
    /// The channel's id for this SKU (listing): Shopify inventory item, WooCommerce product, Allegro offer.
    public var externalID: String?

    /// The location scope of a pooled value.
    public static let pooled = "*"

    /// Creates a level.
    public init(sku: String, location: String, value: Int, version: Int64, previousValue: Int? = nil, externalID: String? = nil) {
        self.sku = sku
        self.location = location
        self.value = value
        self.version = version
        self.previousValue = previousValue
        self.externalID = externalID
    }
}

/// A level as a channel currently shows it (for reconcile).
public struct ChannelLevelSnapshot: Sendable, Hashable {
    /// The Omnistock SKU, when the channel knows it.
    public var sku: String?
    /// The Omnistock location code, or ``ChannelLevel/pooled``.
    public var location: String
    /// The available quantity the channel shows.
    public var available: Int
    /// A physical count the channel reports (stores), if any.
    public var onHand: Int?
    /// The channel's id for the item, if any.
    public var externalID: String?
    /// The item's barcode (GTIN/EAN) at the channel, where the vendor exposes one (``ListingMatch/barcode``).
    public var barcode: String?
    /// Whether the channel limits sales by this listing's stock; `false` (WooCommerce `manage_stock` off)
    /// means it sells without limit whatever ``available`` says.
    public var tracksStock: Bool

    /// Creates a snapshot.
    public init(
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
public struct Page<Item: Sendable>: Sendable {
    /// The items of this page.
    public var items: [Item]
    /// Where to continue: pass it to the next call. For orders it is also the resume point to store
    /// once the items are committed, even when ``hasMore`` is false.
    public var nextCursor: String?
    /// Whether another page follows at once.
    public var hasMore: Bool

    /// Creates a page.
    public init(items: [Item], nextCursor: String?, hasMore: Bool) {
        self.items = items
        self.nextCursor = nextCursor
        self.hasMore = hasMore
    }
}

extension Page: Equatable where Item: Equatable {}
