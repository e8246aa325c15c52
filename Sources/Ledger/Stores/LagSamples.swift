import Foundation
import PostgresClient

/// One point of a channel's outbox lag history.
package struct LagSample: Codable, Sendable, Equatable {
    package var channel: String
    package var sampledAt: Date
    package var pending: Int
    package var lagSeconds: Double
}

/// The `lag_samples` table: each channel's outbox lag over the last two hours, for the status page's chart.
extension SyncStatusReport {
    /// Records every channel's current outbox lag (as `ChannelStatusQuery` reads it) and forgets samples older
    /// than two hours.
    package static func sampleLag(into pool: PostgresPool) throws {
        try pool.transaction { connection in
            let channels = try ChannelStatusQuery.read(on: connection)
            try connection.query(
                """
                INSERT INTO lag_samples (channel, pending, lag_seconds)
                SELECT * FROM unnest($1::text[], $2::int[], $3::float8[])
                ON CONFLICT DO NOTHING
                """, [channels.map(\.code), channels.map(\.pending), channels.map { $0.oldestPendingSeconds ?? 0 }])
            try connection.query("DELETE FROM lag_samples WHERE sampled_at < now() - interval '2 hours'")
        }
    }

    /// Lag samples of the last `seconds`, oldest first.
    package static func lagHistory(from pool: PostgresPool, seconds: Double = 3600) throws -> [LagSample] {
        try pool.query(
            """
            SELECT channel, sampled_at, pending, lag_seconds FROM lag_samples
            WHERE sampled_at >= now() - make_interval(secs => $1::float8) ORDER BY sampled_at, channel
            """, [seconds]
        ) { rows in
            try rows.map {
                LagSample(
                    channel: try $0.decode(at: 0), sampledAt: try $0.decode(at: 1), pending: try $0.decode(at: 2), lagSeconds: try $0.decode(at: 3))
            }
        }
    }
}
