import PostgresClient

/// The LISTEN/NOTIFY channels Omnistock's processes wake each other on.
package enum WakeChannel: String, Sendable, CaseIterable {
    /// Outbox or reservation-outbox targets became due: the push lanes claim them.
    case outbox = "omnistock_outbox"
    /// A webhook event was stored or put back in line: the event processor applies it.
    case inbox = "omnistock_inbox"
    /// A reconcile run was requested (payload: the run's id): the leader runs it.
    case reconcile = "omnistock_reconcile"
}

/// The one sender of `NOTIFY`: wakes the listeners of a channel once the change they must see has committed.
///
/// Never inside a writing transaction: a NOTIFY holds PostgreSQL's cluster-wide notify lock until its
/// transaction's commit is flushed, which queues every other writer that notifies behind that flush (see
/// `Migration.wakeAfterCommit`; the outbox triggers stopped notifying for this reason). Sent on its own,
/// its transaction has written nothing that must be flushed, so the lock is held only briefly. A wake-up lost
/// to a crash between the commit and the send costs only latency: every listener also scans on a timer.
package enum WakeAfterCommit {
    /// Wakes the listeners of `channel` on a connection of `pool`.
    package static func send(_ channel: WakeChannel, payload: String = "", pool: PostgresPool) throws {
        try pool.withConnection { try send(channel, payload: payload, on: $0) }
    }

    /// Wakes the listeners of `channel` on `connection`, which must not be inside a transaction.
    package static func send(_ channel: WakeChannel, payload: String = "", on connection: PostgresConnection) throws {
        guard !connection.isInTransaction else { throw InsideTransaction(channel: channel) }
        try connection.query(notify, [channel.rawValue, payload])
    }

    /// Prepared: sent after every batch of webhooks and ledger writes, where parsing and planning it cost as much as
    /// running it.
    private static let notify = PreparedStatement("SELECT pg_notify($1, $2)")

    /// A wake-up was asked for inside a transaction: send it after the commit instead.
    package struct InsideTransaction: Error, CustomStringConvertible {
        package var channel: WakeChannel
        package var description: String { "NOTIFY \(channel.rawValue) inside a transaction: send it after the commit" }
    }
}
