import ChannelVocabulary
import Ledger

extension NormalizedEvent {
    /// What is wrong with the first line whose quantity the ledger cannot take for this kind of event
    /// (an order line or a count below zero, any value beyond the ledger's 32-bit columns); nil when
    /// every line fits. Checked at ingress, so such a webhook is refused (`400`) instead of stored.
    var quantityProblem: String? {
        let fits: (Int) -> Bool =
            switch kind {
            case .orderCreated, .orderCancelled, .orderFulfilled, .stockCounted: QuantityRange.holds
            case .stockAdjusted, .channelLevelChanged: QuantityRange.holdsDelta
            }
        guard let line = lines.first(where: { !fits($0.quantity) }) else { return nil }
        return "the quantity \(line.quantity) of \(line.sku ?? line.externalID ?? "a line") is out of range for \(kind.rawValue)"
    }
}
