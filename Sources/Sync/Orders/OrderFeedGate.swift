import Synchronization

/// The channels whose orders are being read in this process: one read of a channel's order feed at a time, so
/// reconcile and the order poll never import the same page side by side or store an older cursor over a newer one.
final class OrderFeedGate: Sendable {
    private let reading = Mutex<Set<String>>([])

    /// Marks `channel` as being read; false when it already is.
    func begin(_ channel: String) -> Bool {
        reading.withLock { $0.insert(channel).inserted }
    }

    /// Ends the read ``begin(_:)`` started.
    func end(_ channel: String) {
        reading.withLock { _ = $0.remove(channel) }
    }
}
