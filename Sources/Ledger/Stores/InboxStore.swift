import PostgresClient

/// Writes verified webhooks into the inbox, once per (channel, event id), and wakes the event
/// processor with `NOTIFY omnistock_inbox`.
///
/// The insert is one prepared statement committed on its own; the wake-up is sent afterwards, outside
/// that transaction. A `NOTIFY` inside a writing transaction holds PostgreSQL's cluster-wide notify lock
/// until the commit is flushed, which put every webhook's commit in one queue (about 1,600/s here); sent
/// on its own, its transaction has written nothing that must be flushed, so the lock is held only briefly.
/// A wake-up lost to a crash between the two costs only latency: the processor also scans the inbox on a timer.
enum InboxStore {
    /// What happened to a delivery.
    enum Outcome: String, Sendable {
        /// Stored now.
        case stored
        /// Stored before (a redelivery): nothing changed.
        case duplicate
    }

    static let insert = PreparedStatement("""
        INSERT INTO inbox (channel, event_id, headers, payload) VALUES ($1, $2, $3::jsonb, $4)
        ON CONFLICT (channel, event_id) DO NOTHING
        """)

    /// Inserts and commits the event. Not retried on a lost connection: the answer is then `503`
    /// and the channel delivers again, so no `200` is ever given for an event that is not committed.
    static func store(
        channel: String, eventID: String, headers: [String: String], payload: String, pool: PostgresPool
    ) throws -> Outcome {
        try pool.withConnection { connection in
            let inserted = try connection.query(insert, [channel, eventID, PostgresJSON(headers), payload]).affectedRows == 1
            guard inserted else { return .duplicate }
            _ = try? connection.query("SELECT pg_notify('omnistock_inbox', $1)", [channel])
            return .stored
        }
    }
}
