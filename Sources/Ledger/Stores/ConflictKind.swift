/// What a conflict is about (DESIGN.md §6): the kinds the `conflicts` table's CHECK allows.
package enum ConflictKind: String, Sendable, Codable, CaseIterable {
    /// The channel shows another value than we last pushed; ledger wins.
    case drift
    /// Reconcile found a channel order never received.
    case missedOrder = "missed_order"
    /// A sale or count left fewer units than were promised: a backorder.
    case oversold
    /// A store holds fewer units than its active pickup reservations.
    case pickupShortfall = "pickup_shortfall"
    /// A store endpoint's physical count differed from the ledger.
    case countMismatch = "count_mismatch"
    /// A webhook older than the last applied for its order, ignored.
    case staleEvent = "stale_event"
    /// The channel does not manage stock for a listing.
    case unmanagedListing = "unmanaged_listing"
    /// The channel ended an offer we still publish stock for.
    case endedOffer = "ended_offer"
    /// Listing discovery matched a SKU to more than one channel item (or the reverse).
    case duplicateListing = "duplicate_listing"
}
