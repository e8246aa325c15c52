import Foundation
import PostgresClient

/// What lag-aware buffers read of a channel's lag (`channel_state`, migration 18): how long a decrease takes to
/// reach the channel (`propagation_seconds`, from the push lanes' records) and how long the channel's orders take
/// to reach the ledger (`order_feed_seconds`, from applied orders). Both are exponentially weighted means.
package enum ChannelLag {
    /// The weight of the newest sample.
    static let weight = 0.2
    /// An order's delay counts at most this long (a reconcile that catches up a day-old order says nothing
    /// about the feed's usual delay).
    static let longestFeedDelay = 600.0

    /// The `ON CONFLICT … DO UPDATE` assignment that folds the new sample `EXCLUDED.column` into `s.column`.
    static func smoothing(_ column: String) -> String {
        "\(column) = COALESCE(\(weight) * EXCLUDED.\(column) + (1 - \(weight)) * s.\(column), EXCLUDED.\(column))"
    }

    /// Seconds from an order's creation at the channel to now, clamped to `0...longestFeedDelay`; nil without a time.
    static func feedDelay(since occurred: Date?, now: Date = Date()) -> Double? {
        occurred.map { min(longestFeedDelay, max(0, now.timeIntervalSince($0))) }
    }

    /// Marks a channel order applied and counts its delay (creation at the channel → applied here) into the
    /// channel's `order_feed_seconds`, in one statement.
    package static func orderApplied(channel: String, order: String, occurredAt: Date?, pool: PostgresPool) throws {
        try pool.execute(
            """
            WITH applied AS (
                UPDATE channel_orders SET applied_at = now() WHERE channel = $1 AND order_ref = $2 RETURNING 1)
            INSERT INTO channel_state AS s (channel, order_feed_seconds)
            SELECT $1, $3::float8 WHERE $3::float8 IS NOT NULL AND EXISTS (SELECT 1 FROM applied)
            ON CONFLICT (channel) DO UPDATE SET \(smoothing("order_feed_seconds"))
            """, [channel, order, feedDelay(since: occurredAt)])
    }
}
