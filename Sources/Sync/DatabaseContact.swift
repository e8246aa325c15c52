import Foundation
import Synchronization

/// Whether the worker's own database work (claims, leadership checks) last reached the database.
///
/// The HTTP server answers `/readyz` from its own pool, which can still hold an open connection while
/// the worker cannot open new ones (descriptors exhausted, say) or lost its session: this records
/// what the worker saw, so readiness fails while pushing has stopped.
package final class DatabaseContact: Sendable {
    /// When the worker's attempts started failing; nil while they succeed.
    private let failingSince = Mutex<Date?>(nil)

    package init() {}

    /// The worker reached the database.
    package func succeeded() {
        failingSince.withLock { $0 = nil }
    }

    /// The worker could not reach the database (the error is logged where it happened).
    package func failed() {
        let now = Date()
        failingSince.withLock { $0 = $0 ?? now }
    }

    /// Why the worker cannot reach the database, when its last attempt failed; nil when it can. Without
    /// the error's text, which names hosts and paths.
    package var problem: String? {
        failingSince.withLock { since in
            since.map { "the worker cannot reach the database since \(ISO8601DateFormatter().string(from: $0))" }
        }
    }
}
