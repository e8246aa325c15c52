/// One claimed outbox row: what the channel must show for a SKU in a scope, computed from the ledger at claim time.
package struct PushTarget: Sendable, Equatable {
    package var channel: String
    package var sku: String
    /// A location code, or `*` for a pooled value.
    package var scope: String
    /// The ledger version the value was computed at.
    package var version: Int64
    package var value: Int
    /// What the channel was last told, if anything.
    package var pushedValue: Int?
    /// Failed attempts so far.
    package var attempts: Int
    /// The channel's id for the SKU, if known.
    package var externalID: String?
    /// Units a lag-aware buffer held back from `value` (recorded with the push, so that the hold is pushed again
    /// when it runs out: ``OutboxStore/refreshHeldBack()``).
    package var heldBack = 0
    /// A lag-aware channel's unseen sales so far (`unseen_sales_state`): the value last written there and the sales
    /// unseen then, less the channel's orders the ledger applied since; nil when not counted.
    package var unseenCarry: UnseenCarry?
    /// The channel's order units the ledger had applied since a moment, in the snapshot of this value (recorded
    /// with the push: the next count starts from it); nil for targets whose unseen sales are not counted.
    package var ordersCounted: OrdersCount?
    /// The unseen sales the adapter left out of the value written (recorded with the push); nil: none counted.
    package var unseenSales: Int?

    /// See ``unseenCarry``.
    package struct UnseenCarry: Sendable, Equatable {
        package var lastWritten: Int
        package var carried: Int
    }

    /// See ``ordersCounted``.
    package struct OrdersCount: Sendable, Equatable {
        /// Seconds since 1970, by the database's clock.
        package var from: Double
        package var units: Int64
    }

    package init(
        channel: String, sku: String, scope: String, version: Int64, value: Int, pushedValue: Int?, attempts: Int, externalID: String?
    ) {
        self.channel = channel
        self.sku = sku
        self.scope = scope
        self.version = version
        self.value = value
        self.pushedValue = pushedValue
        self.attempts = attempts
        self.externalID = externalID
    }
}

/// What to write back for one pushed target.
package enum PushRecord: Sendable, Equatable {
    case pushed(PushTarget)
    /// Retry after `delay` seconds; `permanent` failures wait for the value to change instead.
    case failed(PushTarget, error: String, delay: Double, permanent: Bool)
    /// The channel showed `current` where we expected `pushedValue`: a drift conflict; push again.
    case conflict(PushTarget, current: Int?, delay: Double)
}
