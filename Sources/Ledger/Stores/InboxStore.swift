import Foundation
import PostgresClient

/// The `inbox` table: verified webhooks stored once per (channel, event id) by the ingress, then claimed,
/// applied, retried or set aside (`dead`) by the event processor (`InboxProcessor`).
///
/// Storing wakes the event processor (`WakeChannel.inbox`) after the commit, at most once per interval
/// (`WakeCoalescer`).
///
/// Deliveries are inserted by one prepared statement committed on its own, several at once when they arrive together
/// (`InboxWriter`); the wake-up is sent afterwards, outside that transaction (`WakeAfterCommit`): sent inside it,
/// every webhook's commit queued behind the notify lock (about 1,600/s here).
package enum InboxStore {
    /// What happened to a delivery.
    package enum Outcome: String, Sendable {
        /// Stored now.
        case stored
        /// Stored before (a redelivery): nothing changed.
        case duplicate
    }

    /// A verified webhook to store.
    package struct Delivery: Sendable {
        package var channel: String
        package var eventID: String
        /// The headers the adapters read to verify and parse it.
        package var headers: [String: String]
        package var payload: String

        package init(channel: String, eventID: String, headers: [String: String], payload: String) {
            self.channel = channel
            self.eventID = eventID
            self.headers = headers
            self.payload = payload
        }
    }

    /// $1 channels, $2 event ids, $3 headers (each an array of names and values in turn, as array text: PostgreSQL's
    /// `jsonb_object` makes the object, much cheaper than `JSONEncoder` on the path every webhook takes), $4 payloads.
    static let insert = PreparedStatement(
        """
        INSERT INTO inbox (channel, event_id, headers, payload)
        SELECT channel, event_id, jsonb_object(headers::text[]), payload
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(channel, event_id, headers, payload)
        ON CONFLICT (channel, event_id) DO NOTHING
        RETURNING channel, event_id
        """)

    /// Inserts and commits `deliveries` with one statement, in order, and asks `wake` to wake the event processor;
    /// returns each one's outcome. An event stored before, or earlier in the same list, is a `duplicate` and changes
    /// nothing. Not retried on a lost connection: the answer is then `503` and the channel delivers again, so no `200`
    /// is ever given for an event that is not committed.
    package static func store(_ deliveries: [Delivery], pool: PostgresPool, wake: WakeCoalescer) throws -> [Outcome] {
        try pool.withConnection { connection in
            let parameters: [any PostgresBindable] = [
                deliveries.map { $0.channel }, deliveries.map { $0.eventID },
                deliveries.map { $0.headers.flatMap { [$0.key, $0.value] }.postgresText }, deliveries.map { $0.payload },
            ]
            var inserted = Set<[String]>()
            for row in try connection.query(insert, parameters) {
                inserted.insert([try row.decode(String.self, at: 0), try row.decode(String.self, at: 1)])
            }
            // The first of a repeated event is the one inserted (the rows go in in order); the rest are duplicates.
            let outcomes = deliveries.map { inserted.remove([$0.channel, $0.eventID]) == nil ? Outcome.duplicate : .stored }
            if outcomes.contains(.stored) { try? wake.wake(on: connection) }
            return outcomes
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
