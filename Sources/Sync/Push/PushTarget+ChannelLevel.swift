import ChannelVocabulary
import Ledger

extension PushTarget {
    /// The level to hand to the adapter.
    package var level: ChannelLevel {
        ChannelLevel(
            sku: sku, location: scope, value: value, version: version, previousValue: pushedValue, externalID: externalID,
            unseenSales: unseenCarry.map { UnseenSales(lastWritten: $0.lastWritten, carried: $0.carried) })
    }
}
