/// What discovery compares to find a SKU's listing at a channel (config `match`).
package enum ListingMatch: String, Sendable, CaseIterable {
    /// The channel item's SKU equals ours (the default).
    case sku
    /// The channel item's barcode (GTIN/EAN) equals the SKU's `barcode`.
    case barcode

    /// The key of `item` this rule compares, if it has one.
    package func key(of item: ChannelItem) -> String? {
        switch self {
        case .sku: item.sku
        case .barcode: item.barcode
        }
    }
}

/// One item of a channel's catalogue as its listing read shows it: the channel's id, its SKU and barcode.
package struct ChannelItem: Sendable, Hashable {
    /// The channel's id (Shopify inventory item, WooCommerce product or variation, Allegro offer).
    package var externalID: String
    /// The SKU the channel shows, if any.
    package var sku: String?
    /// The barcode (GTIN/EAN) the channel shows, if any.
    package var barcode: String?

    /// Creates an item; empty SKUs and barcodes count as none.
    package init(externalID: String, sku: String?, barcode: String? = nil) {
        self.externalID = externalID
        self.sku = sku.flatMap { $0.isEmpty ? nil : $0 }
        self.barcode = barcode.flatMap { $0.isEmpty ? nil : $0 }
    }
}
