/// Something about a listing that keeps it from selling by the value Omnistock pushes, found by the adapter
/// and left to an operator: recorded as an open conflict of ``Kind`` for the listing's SKU.
package struct ListingIssue: Sendable, Hashable {
    /// The conflict kind.
    package enum Kind: String, Sendable, Hashable {
        /// The channel does not track the listing's stock (WooCommerce `manage_stock` off): it sells without limit.
        case unmanagedListing = "unmanaged_listing"
        /// The seller, an administrator or the marketplace ended the offer for a reason other than running out of stock.
        case endedOffer = "ended_offer"
    }

    /// The conflict kind.
    package var kind: Kind
    /// What the channel said, for the operator.
    package var detail: String

    /// Creates an issue.
    package init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }
}

/// What an adapter does with a listing whose stock the channel does not track (`unmanaged` in the config).
package enum UntrackedStockPolicy: String, Sendable, Hashable, CaseIterable {
    /// The first push turns the channel's stock tracking on and sets the quantity (the default).
    case enable
    /// The listing is left as it is and reported as an open `unmanaged_listing` conflict.
    case flag
}
