import Foundation

/// Why a channel shows what it shows for one SKU in one scope: every step of `channel_value_parts`, from the
/// ledger's units to the published value (README "What a channel shows").
package struct ChannelValueSteps: Codable, Sendable, Equatable {
    /// Available units (on hand − reserved) over the scope's locations; a bundle's whole sets.
    package var units: Int
    /// After a click-and-collect store's pickup buffer.
    package var pickupUnits: Int
    /// Units other channels, walk-ins and API reservations took from these locations in the lag window
    /// (lag-aware channels only, else 0).
    package var demand: Int
    /// Units the channel's own orders took there in the lag window (lag-aware channels only, else 0).
    package var ownDemand: Int
    /// The channel's measured propagation, its visibility delay and the slowest order feed sharing its stock, in seconds.
    package var lagSeconds: Double
    /// Units expected to sell before the channel shows a change: `(demand × lag + ownDemand × own lag) ÷ window`, the
    /// own lag being the channel's propagation, visibility delay and own order feed delay.
    package var expected: Double
    /// Units the lag-aware buffer holds back while the SKU runs low: the 90th percentile of a Poisson count with
    /// mean `expected`, at most `lag_cap`.
    package var heldBack: Int
    /// The static rule's inputs: `buffer`, `share` (percent), `max`, `min_visible`.
    package var buffer: Int
    package var share: Int
    package var max: Int?
    package var minVisible: Int
    /// True when `last_units` hides the SKU here: its pool is that low and a channel with a higher priority shares it.
    package var lastUnitsCut: Bool

    /// One line: each step that changed something, e.g. `7 available, −1 pickup buffer, −2 held back (0.8 expected
    /// to sell during a lag of 3.2 s), −1 buffer`.
    package var summary: String {
        var parts = ["\(units) available"]
        if pickupUnits != units { parts.append("−\(units - pickupUnits) pickup buffer") }
        if heldBack > 0 {
            parts.append("−\(heldBack) held back (\(Self.decimal(expected)) expected to sell during a lag of \(Self.decimal(lagSeconds)) s)")
        }
        if buffer > 0 { parts.append("−\(buffer) buffer") }
        if share < 100 { parts.append("\(share) % share") }
        if let max { parts.append("max \(max)") }
        if minVisible > 0 { parts.append("hidden below \(minVisible)") }
        if lastUnitsCut { parts.append("last units kept for a higher-priority channel") }
        return parts.joined(separator: ", ")
    }

    private static func decimal(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f", value) : String(Int(value.rounded()))
    }
}
