import Foundation
import Synchronization

/// The stock values Erli accepted and may not show yet. Erli answers a product write `202 Accepted` and applies it
/// later (https://erli.pl/svc/shop-api/doc/; `PATCH /products/{externalId}` and the per-item `status` of
/// `PATCH /products/batch-update` in https://erli.pl/svc/shop-api/doc/swagger.json), so a read right after a push
/// can still show the old value. Reconcile must not take that for an edit at the channel (drift), so levels read
/// within ``ErliConfiguration/settleWindow`` of an accepted write report the accepted value; once a read shows it,
/// or the window has passed, the record is dropped and reads are taken as they are (a real difference is drift
/// then). The record lives in the adapter: a reconcile in another process (the CLI) does not see it, and at worst
/// pushes the same value again.
package final class ErliAcceptedWrites: Sendable {
    private struct Write {
        var value: Int
        var acceptedAt: Date
    }

    private let writes = Mutex<[String: Write]>([:])
    private let window: TimeInterval

    /// Remembers accepted writes for `window` seconds.
    package init(window: TimeInterval) {
        self.window = window
    }

    /// Notes that Erli accepted `value` for `externalID` at `now`.
    package func accepted(_ value: Int, for externalID: String, at now: Date) {
        guard window > 0 else { return }
        writes.withLock { $0[externalID] = Write(value: value, acceptedAt: now) }
    }

    /// The value to compare for a product whose read shows `shown`: the accepted value while the write may still be
    /// in progress, otherwise `shown`.
    package func expected(_ externalID: String, shown: Int, at now: Date) -> Int {
        writes.withLock { writes in
            guard let write = writes[externalID] else { return shown }
            if write.value == shown || now.timeIntervalSince(write.acceptedAt) > window {
                writes[externalID] = nil
                return shown
            }
            return write.value
        }
    }

    /// How many writes are waiting to show.
    package var count: Int { writes.withLock { $0.count } }
}
