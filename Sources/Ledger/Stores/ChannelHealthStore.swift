import PostgresClient

/// The `channel_state` table: each channel's health (circuit state, failures, last success), where
/// `ChannelStatusQuery` reads it for `omnistock status`, the admin API and metrics, and its order cursor (how far
/// reconcile has read the channel's orders).
package struct ChannelHealthStore: Sendable {
    package let pool: PostgresPool

    package init(pool: PostgresPool) { self.pool = pool }

    package func recordSuccess(channel: String) throws {
        try pool.execute(
            """
            INSERT INTO channel_state (channel, circuit, consecutive_failures, last_success_at) VALUES ($1, 'closed', 0, now())
            ON CONFLICT (channel) DO UPDATE SET circuit = 'closed', consecutive_failures = 0,
                last_success_at = now(), updated_at = now()
            """, [channel])
    }

    /// Records a failed call; `circuit` is the breaker's state after it (`closed`, `open`, `half_open`).
    package func recordFailure(channel: String, error: String, circuit: String, consecutiveFailures: Int) throws {
        try pool.execute(
            """
            INSERT INTO channel_state (channel, circuit, consecutive_failures, last_failure_at, last_error)
            VALUES ($1, $2, $3, now(), left($4, 500))
            ON CONFLICT (channel) DO UPDATE SET circuit = $2, consecutive_failures = $3, last_failure_at = now(),
                last_error = left($4, 500), updated_at = now()
            """, [channel, circuit, consecutiveFailures, error])
    }

    /// Where reconcile's last read of `channel`'s orders ended, if it has read them.
    package func ordersCursor(channel: String) throws -> String? {
        try pool.query("SELECT orders_cursor FROM channel_state WHERE channel = $1", [channel]) {
            try $0.first?.decode(String?.self, at: 0)
        }
    }

    /// Records where reconcile's read of `channel`'s orders ended.
    package func storeOrdersCursor(_ cursor: String, channel: String) throws {
        try pool.execute(
            """
            INSERT INTO channel_state (channel, orders_cursor) VALUES ($1, $2)
            ON CONFLICT (channel) DO UPDATE SET orders_cursor = $2, updated_at = now()
            """, [channel, cursor])
    }
}
