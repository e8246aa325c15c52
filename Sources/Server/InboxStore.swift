import PostgresClient

/// Writes verified webhooks into the inbox, once per (channel, event id), and wakes the event
/// processor with `NOTIFY omnistock_inbox` (delivered when the transaction commits).
enum InboxStore {
    /// What happened to a delivery.
    enum Outcome: String, Sendable {
        /// Stored now.
        case stored
        /// Stored before (a redelivery): nothing changed.
        case duplicate
    }

    /// Inserts and commits the event. Not retried on a lost connection: the answer is then `503`
    /// and the channel delivers again, so no `200` is ever given for an event that is not committed.
    static func store(
        channel: String, eventID: String, headers: [String: String], payload: String, pool: PostgresPool
    ) throws -> Outcome {
        try pool.transaction(maxAttempts: 1) { connection in
            let inserted = try connection.query(
                """
                INSERT INTO inbox (channel, event_id, headers, payload) VALUES ($1, $2, $3::jsonb, $4)
                ON CONFLICT (channel, event_id) DO NOTHING
                """, [channel, eventID, PostgresJSON(headers), payload]
            ).affectedRows == 1
            guard inserted else { return .duplicate }
            try connection.query("SELECT pg_notify('omnistock_inbox', $1)", [channel])
            return .stored
        }
    }
}
