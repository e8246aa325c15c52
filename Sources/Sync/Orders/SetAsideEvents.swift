import Foundation
import PostgresClient

/// A webhook event the inbox processor set aside after too many failed attempts.
public struct SetAsideEvent: Codable, Sendable, Equatable {
    public var id: Int64
    public var channel: String
    public var eventID: String
    public var receivedAt: Date
    public var attempts: Int
    public var error: String?
}

/// The events ``InboxProcessor`` set aside, for an operator to read and, once the cause is fixed (a SKU
/// added to the catalogue, say), to put back in line.
public enum SetAsideEvents {
    /// The set-aside events, oldest first.
    public static func list(from pool: PostgresPool) throws -> [SetAsideEvent] {
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

    /// Puts set-aside events back in line with fresh attempts (`ids` nil: all of them); returns how many.
    @discardableResult
    public static func retry(ids: [Int64]?, in pool: PostgresPool) throws -> Int {
        let selected: [Int64]? = ids
        let count = try pool.execute(
            """
            UPDATE inbox SET status = 'pending', attempts = 0, next_attempt_at = now()
            WHERE status = 'dead' AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
            """, [selected])
        if count > 0 { try pool.execute("SELECT pg_notify('omnistock_inbox', '')") }
        return count
    }
}
