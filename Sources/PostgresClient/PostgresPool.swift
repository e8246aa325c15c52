import Dispatch
import Foundation
import Logging
import Support

/// A small bounded pool of connections, usable from any thread or Dispatch queue.
///
/// Callers block (up to `acquireTimeout`) while all connections are busy. A connection that failed
/// at the connection level is closed instead of returned, so the pool reconnects after a server restart.
package final class PostgresPool: @unchecked Sendable {
    /// How to open connections.
    package let conninfo: String
    /// Where session-level work goes (advisory locks held across transactions, LISTEN): PostgreSQL itself when
    /// `conninfo` goes through a transaction pooler such as PgBouncer, which hands each transaction whichever
    /// server session is free. The same as `conninfo` otherwise.
    package let sessionConninfo: String
    /// The most connections open at once.
    package let maxConnections: Int
    /// How long `withConnection` waits for a free connection before failing.
    package let acquireTimeout: TimeInterval
    let logger: Logger

    private let capacity: DispatchSemaphore
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private let blockingQueue: DispatchQueue

    /// Creates the pool; no connection is opened before the first use.
    /// - Parameters:
    ///   - conninfo: a `postgresql://` URL or `key=value` conninfo, possibly several hosts.
    ///   - directConninfo: PostgreSQL itself, when `conninfo` is a transaction-pooling PgBouncer: session-level work
    ///     goes there (``sessionConninfo``, ``withSessionConnection(_:)``), and no statement is prepared on `conninfo`.
    package init(
        conninfo: String, directConninfo: String? = nil, maxConnections: Int = 8, acquireTimeout: TimeInterval = 30,
        logger: Logger = Logger(label: "omnistock.postgres")
    ) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.conninfo = conninfo
        self.sessionConninfo = directConninfo ?? conninfo
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.logger = logger
        self.capacity = DispatchSemaphore(value: maxConnections)
        self.blockingQueue = DispatchQueue(
            label: "omnistock.postgres.pool", qos: .userInitiated, attributes: .concurrent)
    }

    /// Lends a connection to `body` and takes it back afterwards. Does not retry.
    package func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        guard capacity.wait(timeout: .now() + acquireTimeout) == .success else {
            throw PostgresError(kind: .connection, message: "no database connection free after \(acquireTimeout) s")
        }
        defer { capacity.signal() }
        let connection = try checkOut()
        do {
            let value = try body(connection)
            checkIn(connection)
            return value
        } catch {
            checkIn(connection)
            throw error
        }
    }

    /// Lends `body` a connection whose session lasts beyond one transaction (a session advisory lock, say): a
    /// connection of its own to ``sessionConninfo`` behind a transaction pooler, a pooled one otherwise.
    package func withSessionConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        guard sessionConninfo != conninfo else { return try withConnection(body) }
        return try body(PostgresConnection(conninfo: sessionConninfo))
    }

    /// Runs `body` in a transaction, running it again (up to `maxAttempts`) after a serialization
    /// failure, a deadlock or a lost connection. `body` must therefore be safe to repeat.
    package func transaction<T>(
        isolation: IsolationLevel = .readCommitted, maxAttempts: Int = 5,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        try retrying(maxAttempts: maxAttempts) {
            try withConnection { try $0.transaction(isolation: isolation, body) }
        }
    }

    /// Runs one statement that is safe to repeat (a read, or a write guarded by unique keys), retrying once on a
    /// fresh connection if the old one was lost.
    /// The rows are handed to `body` while the connection is still held.
    package func query<T>(
        _ sql: String, _ parameters: [any PostgresBindable] = [], _ body: (PostgresRows) throws -> T
    ) throws -> T {
        try retrying(maxAttempts: 2) {
            try withConnection { try body($0.query(sql, parameters)) }
        }
    }

    /// `query(_:_:_:)` for a prepared statement: planned once per connection, then only executed.
    package func query<T>(
        _ statement: PreparedStatement, _ parameters: [any PostgresBindable] = [], _ body: (PostgresRows) throws -> T
    ) throws -> T {
        try retrying(maxAttempts: 2) {
            try withConnection { try body($0.query(statement, parameters)) }
        }
    }

    /// Runs one statement outside an explicit transaction and returns the affected row count.
    @discardableResult
    package func execute(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> Int {
        try withConnection { try $0.query(sql, parameters).affectedRows }
    }

    /// Runs blocking database work on the pool's own Dispatch queue and resumes the awaiting task
    /// when it is done, so async callers (HTTP handlers) never block their executor.
    package func run<T: Sendable>(_ body: @escaping @Sendable (PostgresPool) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async {
                continuation.resume(with: Result { try body(self) })
            }
        }
    }

    /// Closes the idle connections (after a lost connection, or before stopping the server); connections in
    /// use stay open and return to the pool as usual.
    package func closeIdle() {
        lock.lock()
        let closing = idle
        idle.removeAll()
        lock.unlock()
        // `closing` is released here, outside the lock, so PQfinish never runs while it is held.
        withExtendedLifetime(closing) {}
    }

    /// The wait before retrying a serialization failure or a lost connection: 10 ms doubling up to 320 ms, full jitter.
    private static let retryBackoff = Backoff(base: 0.01, cap: 0.32)

    private func retrying<T>(maxAttempts: Int, _ attempt: () throws -> T) throws -> T {
        var attemptNumber = 1
        while true {
            do {
                return try attempt()
            } catch let error as PostgresError
                where attemptNumber < maxAttempts
                && (error.isTransactionRetryable || error.isConnectionLost)
            {
                logger.debug("retrying database work", metadata: ["sqlstate": "\(error.sqlState ?? "-")", "attempt": "\(attemptNumber)"])
                if error.isConnectionLost { closeIdle() }
                Thread.sleep(forTimeInterval: Self.retryBackoff.delay(afterAttempts: attemptNumber))
                attemptNumber += 1
            }
        }
    }

    private func checkOut() throws -> PostgresConnection {
        lock.lock()
        let reused = idle.popLast()
        lock.unlock()
        if let reused, reused.isOpen { return reused }
        return try PostgresConnection(conninfo: conninfo, preparesStatements: sessionConninfo == conninfo)
    }

    private func checkIn(_ connection: PostgresConnection) {
        guard connection.isOpen, !connection.isInTransaction, !connection.isInPipeline else { return }
        lock.lock()
        idle.append(connection)
        lock.unlock()
    }
}
