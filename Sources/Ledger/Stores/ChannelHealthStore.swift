import PostgresClient

/// Writes each channel's health (circuit state, failures, last success) to `channel_state`,
/// where `omnistock status`, the admin API and metrics read it.
public struct ChannelHealthStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    public func recordSuccess(channel: String) throws {
        try pool.execute(
            """
            INSERT INTO channel_state (channel, circuit, consecutive_failures, last_success_at) VALUES ($1, 'closed', 0, now())
            ON CONFLICT (channel) DO UPDATE SET circuit = 'closed', consecutive_failures = 0,
                last_success_at = now(), updated_at = now()
            """, [channel])
    }

    public func recordFailure(channel: String, error: String, circuit: CircuitBreaker.State, consecutiveFailures: Int) throws {
        try pool.execute(
            """
            INSERT INTO channel_state (channel, circuit, consecutive_failures, last_failure_at, last_error)
            VALUES ($1, $2, $3, now(), left($4, 500))
            ON CONFLICT (channel) DO UPDATE SET circuit = $2, consecutive_failures = $3, last_failure_at = now(),
                last_error = left($4, 500), updated_at = now()
            """, [channel, circuit.rawValue, consecutiveFailures, error])
    }
}
