/// A channel's lag-aware buffer (`buffer_mode = "lag_aware"`, README "What a channel shows"): for SKUs running low,
/// it holds back the units expected to sell before a change reaches the channel — the 90th percentile (at most
/// `cap`) of a Poisson count with mean `(demand × lag + own demand × own lag) ÷ window`. Demand is the units
/// other channels, walk-ins and API reservations took from the channel's locations in the last `window` seconds,
/// own demand the channel's own orders, own lag the channel's propagation, `visibilityDelay` and its own order feed
/// delay (an absolute write overwrites the channel's own sales it did not know of); lag is the channel's measured propagation (the push lanes keep it), plus
/// `visibilityDelay`, plus the slowest order feed of a channel sharing the stock.
package struct LagAwareBuffer: Codable, Sendable, Equatable {
    /// Seconds of recent demand the velocity is measured over.
    package var window: Double
    /// The most units held back for one SKU.
    package var cap: Int
    /// Only SKUs with this many units or fewer (after the pickup buffer) are held back.
    package var lowStock: Int
    /// Seconds the channel takes to show a value it accepted (a marketplace's cache), added to the measured lag.
    package var visibilityDelay: Double

    package init(window: Double = 900, cap: Int = 5, lowStock: Int = 10, visibilityDelay: Double = 0) {
        self.window = window
        self.cap = cap
        self.lowStock = lowStock
        self.visibilityDelay = visibilityDelay
    }
}
