/// What a channel kind can do, declared once by its adapter (``Channel/capabilities``). The worker, reconcile,
/// listing discovery and config validation ask these, and the daemon stores the ones SQL needs on the channel's
/// `channels` row (`holds_reservations`, `needs_listings`), so no code compares kind names.
package struct ChannelCapabilities: Sendable, Hashable {
    /// The channel is told about pickup reservations at its stores (``Channel/pushReservation(_:)``): the
    /// reservation trigger queues `hold`/`drop` tasks for it, and reconcile refreshes its holds.
    package var holdsReservations: Bool
    /// The channel addresses SKUs through its own ids (listings) that discovery must find and `listings unmatched`
    /// reports; `false` when it takes Omnistock SKUs directly.
    package var needsListings: Bool
    /// The levels the channel reads back are physical counts at its stores: reconcile records a difference as a
    /// `count` movement instead of pushing the ledger's value again.
    package var reportsCounts: Bool
    /// Its catalogue reads carry a barcode (GTIN/EAN), so listings may be matched by barcode (config `match = "barcode"`).
    package var matchesBarcodes: Bool
    /// Whether a channel of this kind shows one value per location unless its config says otherwise (`per_location`).
    package var modelsLocations: Bool
    /// Orders arrive only through the channel's order list or event feed (``Channel/fetchOrders(since:)``), or its
    /// webhooks are sent once without retry: the leader reads the orders every `sync.order_poll_interval`, not only
    /// at reconcile, with the cursor stored after each committed page.
    package var pollsOrders: Bool

    /// Creates a declaration; everything a kind does not say it can do is off.
    package init(
        holdsReservations: Bool = false, needsListings: Bool = false, reportsCounts: Bool = false, matchesBarcodes: Bool = false,
        modelsLocations: Bool = false, pollsOrders: Bool = false
    ) {
        self.holdsReservations = holdsReservations
        self.needsListings = needsListings
        self.reportsCounts = reportsCounts
        self.matchesBarcodes = matchesBarcodes
        self.modelsLocations = modelsLocations
        self.pollsOrders = pollsOrders
    }
}
