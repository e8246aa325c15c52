import Channels
import CurlHTTP
import Foundation
import Logging
import PostgresClient

/// Applies stored webhook events in the order they arrived. Runs on the leader replica only, so
/// events for one order are never applied out of order by two replicas at once.
///
/// An event that fails keeps its error, is retried with backoff, and is never dropped.
public struct InboxProcessor: Sendable {
    let pool: PostgresPool
    let channels: [String: any Channel]
    let applier: EventApplier
    let metrics: SyncMetrics
    let logger: Logger
    let backoff = Backoff(base: 1, cap: 3600)

    public init(pool: PostgresPool, channels: [String: any Channel], applier: EventApplier, metrics: SyncMetrics = SyncMetrics(), logger: Logger) {
        self.pool = pool
        self.channels = channels
        self.applier = applier
        self.metrics = metrics
        self.logger = logger
    }

    /// Processes up to `limit` due events; returns how many it looked at (0: nothing due).
    @discardableResult
    public func processDue(limit: Int = 100) throws -> Int {
        let due = try pool.query(
            """
            SELECT id, channel, headers, payload, attempts FROM inbox
            WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
            ORDER BY id LIMIT $1
            """, [limit]
        ) { rows in
            try rows.map { row in
                (id: try row.decode(Int64.self, at: 0), channel: try row.decode(String.self, at: 1),
                 headers: try row.decode(PostgresJSONValue<[String: String]>.self, at: 2).value,
                 payload: try row.decode(String.self, at: 3), attempts: try row.decode(Int.self, at: 4))
            }
        }
        for event in due {
            do {
                let status = try process(channel: event.channel, headers: event.headers, payload: event.payload)
                try pool.execute(
                    "UPDATE inbox SET status = $2, error = NULL, processed_at = now(), attempts = attempts + 1 WHERE id = $1",
                    [event.id, status])
                metrics.recordEvent(channel: event.channel, outcome: status)
            } catch let error as PostgresError where error.isConnectionLost {
                throw error
            } catch {
                let delay = backoff.delay(afterAttempts: event.attempts + 1)
                logger.warning("webhook event failed; kept for retry", metadata: ["channel": "\(event.channel)", "inbox_id": "\(event.id)", "error": "\(error)"])
                try pool.execute(
                    """
                    UPDATE inbox SET status = 'failed', error = left($2, 1000), attempts = attempts + 1,
                        next_attempt_at = now() + make_interval(secs => $3::float8)
                    WHERE id = $1
                    """, [event.id, String(describing: error), delay])
                metrics.recordEvent(channel: event.channel, outcome: "failed")
            }
        }
        return due.count
    }

    /// Parses and applies one stored event; returns its new status.
    private func process(channel code: String, headers: [String: String], payload: String) throws -> String {
        guard let channel = channels[code] else { throw EventError.unknownChannel(code) }
        let fields = HTTPHeaders(headers.map { HTTPHeaders.Field(name: $0.key, value: $0.value) })
        let events = try channel.parseWebhook(headers: fields, body: Array(payload.utf8))
        for event in events { try applier.apply(event, channel: code) }
        return events.isEmpty ? "ignored" : "processed"
    }

    enum EventError: Error, CustomStringConvertible {
        case unknownChannel(String)
        var description: String {
            switch self {
            case .unknownChannel(let code): "channel \(code) is no longer configured"
            }
        }
    }
}
