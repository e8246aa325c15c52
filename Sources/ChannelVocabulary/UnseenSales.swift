/// What a channel that takes its own sales from the value Omnistock wrote may have sold that the ledger has not
/// applied yet: the units an absolute write must leave out, or it gives back what the channel already sold.
///
/// The channel's value fell by its own sales since the last write (`lastWritten − current`); the ledger applied some
/// of them, and some sold before that write were still unknown then (`carried`, less those applied since). So
/// `unseen = carried + lastWritten − current`, never below 0. The adapter reads `current` from the channel just
/// before writing.
package struct UnseenSales: Sendable, Hashable {
    /// The value last written at the channel (the ledger's value less the unseen sales held back then).
    package var lastWritten: Int
    /// Units unseen at the last write, less the channel's order units the ledger applied since (may be negative).
    package var carried: Int

    /// Creates the state of one target.
    package init(lastWritten: Int, carried: Int) {
        self.lastWritten = lastWritten
        self.carried = carried
    }

    /// The channel's sales not in the ledger, given the value the channel shows now; at most `value` (a write
    /// cannot hold back more than it would show).
    package func count(channelShows current: Int, value: Int) -> Int {
        let (fell, overflow) = lastWritten.subtractingReportingOverflow(current)
        let (unseen, overflowAgain) = carried.addingReportingOverflow(fell)
        guard !overflow, !overflowAgain else { return 0 }
        return min(max(0, unseen), max(0, value))
    }
}
