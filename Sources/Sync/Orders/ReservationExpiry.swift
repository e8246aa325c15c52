import Ledger
import Logging

/// The leader's job of releasing reservations whose hold ran out.
package struct ReservationExpiry: Sendable {
    let ledger: StockLedger
    let metrics: SyncMetrics
    let logger: Logger

    package init(ledger: StockLedger, metrics: SyncMetrics, logger: Logger) {
        self.ledger = ledger
        self.metrics = metrics
        self.logger = logger
    }

    /// Expires every due reservation, in batches.
    package func run() {
        do {
            while case let expired = try ledger.expireDueReservations(), !expired.isEmpty {
                metrics.recordExpired(expired.count)
            }
        } catch {
            logger.warning("reservation expiry paused", metadata: ["error": "\(error)"])
        }
    }
}
