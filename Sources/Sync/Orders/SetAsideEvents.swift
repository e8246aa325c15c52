import Ledger
import PostgresClient

/// The events ``InboxProcessor`` set aside, for an operator to read and, once the cause is fixed (a SKU
/// added to the catalogue, say), to put back in line (the SQL is `InboxStore`'s).
package enum SetAsideEvents {
    /// The set-aside events, oldest first.
    package static func list(from pool: PostgresPool) throws -> [SetAsideEvent] {
        try InboxStore.setAsideEvents(pool: pool)
    }

    /// Puts set-aside events back in line with fresh attempts (`ids` nil: all of them); returns how many.
    @discardableResult
    package static func retry(ids: [Int64]?, in pool: PostgresPool) throws -> Int {
        try InboxStore.retrySetAside(ids: ids, pool: pool)
    }
}
