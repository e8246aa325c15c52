import Foundation
import PostgresClient

/// The `inbox` table: verified webhooks stored once per (channel, event id) by the ingress, then claimed,
/// applied, retried or set aside (`dead`) by the event processor (`InboxProcessor`).
///
/// Storing wakes the event processor (`WakeChannel.inbox`).
///
/// The insert is one prepared statement committed on its own; the wake-up is sent afterwards, outside
/// that transaction (`WakeAfterCommit`): sent inside it, every webhook's commit queued behind the notify
/// lock (about 1,600/s here).
package enum InboxStore {
    /// What happened to a delivery.
    package enum Outcome: String, Sendable {
        /// Stored now.
        case stored
        /// Stored before (a redelivery): nothing changed.
        case duplicate
    }

    static let insert = PreparedStatement(
        """
        INSERT INTO inbox (channel, event_id, headers, payload) VALUES ($1, $2, $3::jsonb, $4)
        ON CONFLICT (channel, event_id) DO NOTHING
        """)

    /// Inserts and commits the event. Not retried on a lost connection: the answer is then `503`
    /// and the channel delivers again, so no `200` is ever given for an event that is not committed.
    package static func store(
        channel: String, eventID: String, headers: [String: String], payload: String, pool: PostgresPool
    ) throws -> Outcome {
        try pool.withConnection { connection in
            let inserted = try connection.query(insert, [channel, eventID, PostgresJSON(headers), payload]).affectedRows == 1
            guard inserted else { return .duplicate }
            try? WakeAfterCommit.send(.inbox, payload: channel, on: connection)
            return .stored
        }
    }

    /// A stored event due for an attempt.
    package struct DueEvent: Sendable {
        package var id: Int64
        package var channel: String
        package var headers: [String: String]
        package var payload: String
        package var attempts: Int
        package var lastError: String?
    }

    /// Up to `limit` events due for an attempt (pending, or failed and past their backoff), in arrival order.
    package static func due(limit: Int, pool: PostgresPool) throws -> [DueEvent] {
        try pool.query(
            """
            SELECT id, channel, headers, payload, attempts, error FROM inbox
            WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
            ORDER BY id LIMIT $1
            """, [limit]
        ) { rows in
            try rows.map { row in
                DueEvent(
                    id: try row.decode(Int64.self, at: 0), channel: try row.decode(String.self, at: 1),
                    headers: try row.decode(PostgresJSONValue<[String: String]>.self, at: 2).value,
                    payload: try row.decode(String.self, at: 3), attempts: try row.decode(Int.self, at: 4),
                    lastError: try row.decode(String?.self, at: 5))
            }
        }
    }

    /// Counts an attempt and moves the next one `delay` seconds out, committed on its own before the event is applied.
    package static func countAttempt(id: Int64, delay: Double, pool: PostgresPool) throws {
        try pool.execute(
            "UPDATE inbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8) WHERE id = $1",
            [id, delay])
    }

    /// Records the outcome of an applied event (`processed` or `ignored`).
    package static func markDone(id: Int64, status: String, pool: PostgresPool) throws {
        try pool.execute("UPDATE inbox SET status = $2, error = NULL, processed_at = now() WHERE id = $1", [id, status])
    }

    /// Keeps a failed event for a retry, with its error.
    package static func markFailed(id: Int64, error: String, pool: PostgresPool) throws {
        try pool.execute("UPDATE inbox SET status = 'failed', error = left($2, 1000) WHERE id = $1", [id, error])
    }

    /// Sets an event aside (`dead`) with its last error: an operator must look at it.
    package static func setAside(id: Int64, error: String, pool: PostgresPool) throws {
        try pool.execute("UPDATE inbox SET status = 'dead', error = left($2, 1000) WHERE id = $1", [id, error])
    }

    /// The set-aside events, oldest first.
    package static func setAsideEvents(pool: PostgresPool) throws -> [SetAsideEvent] {
        try pool.query(
            "SELECT id, channel, event_id, received_at, attempts, error FROM inbox WHERE status = 'dead' ORDER BY id"
        ) { rows in
            try rows.map {
                SetAsideEvent(
                    id: try $0.decode(at: 0), channel: try $0.decode(at: 1), eventID: try $0.decode(at: 2),
                    receivedAt: try $0.decode(at: 3), attempts: try $0.decode(at: 4), error: try $0.decode(String?.self, at: 5))
            }
        }
    }

    /// Puts set-aside events back in line with fresh attempts (`ids` nil: all of them) and wakes the processor;
    /// returns how many.
    package static func retrySetAside(ids: [Int64]?, pool: PostgresPool) throws -> Int {
        let count = try pool.execute(
            """
            UPDATE inbox SET status = 'pending', attempts = 0, next_attempt_at = now()
            WHERE status = 'dead' AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
            """, [ids])
        if count > 0 { try WakeAfterCommit.send(.inbox, pool: pool) }
        return count
    }

    /// Deletes every event of `channel` (benchmarks: the events a run stored).
    package static func forget(channel: String, pool: PostgresPool) throws {
        try pool.execute("DELETE FROM inbox WHERE channel = $1", [channel])
    }
}

/// A webhook event the inbox processor set aside after too many failed attempts.
package struct SetAsideEvent: Codable, Sendable, Equatable {
    package var id: Int64
    package var channel: String
    package var eventID: String
    package var receivedAt: Date
    package var attempts: Int
    package var error: String?
}
