import Foundation
import Logging
import PostgresClient

/// The stock ledger: every operation is one transaction that writes movements, updates `levels`
/// (bumping their version, which also marks the channel targets they feed as due), and records its
/// idempotency key with its result, so that repeating it changes nothing and returns the first result.
///
/// Methods block; call them from Dispatch queues or through `PostgresPool.run` from async code.
package struct StockLedger: Sendable {
    package let pool: PostgresPool
    let logger: Logger
    /// Gathers concurrent reservations into batches (see `reserveBatch`).
    let reservations: GroupCommit<ReserveCall, ReservationReceipt?>
    /// Gathers concurrent releases and commits into batches (see `finishBatch`).
    let finishes: GroupCommit<FinishCall, ReservationReceipt?>
    /// Gathers concurrent receipts, returns, sales and adjustments into batches (see `movementBatch`).
    let movements: GroupCommit<MovementCall, StockChange?>
    /// Wakes the sync workers after this ledger's writes, at most once per `WakeCoalescer.defaultInterval`.
    let outboxWake: WakeCoalescer

    /// - Parameter groupCommit: how concurrent reservations, releases, commits and movements are gathered into one
    ///   transaction (`[database] group_commit_window`, `group_commit_max`); `.off` runs each alone. Each kind has
    ///   its own gathering, with these settings.
    package init(
        pool: PostgresPool, logger: Logger = Logger(label: "omnistock.ledger"), groupCommit: GroupCommitSettings = GroupCommitSettings()
    ) {
        self.pool = pool
        self.logger = logger
        let timeout = pool.acquireTimeout * 2
        let wake = WakeCoalescer(.outbox, pool: pool)
        self.outboxWake = wake
        self.reservations = GroupCommit(settings: groupCommit, timeout: timeout) { try Self.reserveBatch($0, pool: pool, wake: wake) }
        self.finishes = GroupCommit(settings: groupCommit, timeout: timeout) { try Self.finishBatch($0, pool: pool, wake: wake) }
        self.movements = GroupCommit(settings: groupCommit, timeout: timeout) { try Self.movementBatch($0, pool: pool, wake: wake) }
    }

    /// Runs `body` once per idempotency key, in one transaction.
    ///
    /// The key is claimed first (`INSERT … ON CONFLICT DO NOTHING` waits for a concurrent holder of the same
    /// key), so two identical requests never both do the work. A repeat with the same request returns the
    /// stored result; a repeat with a different request is refused.
    func idempotent<Request: Encodable & Sendable, Result: Codable & Sendable>(
        key: String, kind: String, request: Request, _ body: (PostgresConnection) throws -> Result
    ) throws -> Result {
        try Self.requireKey(key)
        let result: Result = try translatingDatabaseErrors {
            try pool.transaction { connection in
                let requestJSON = PostgresJSON(request)
                let claimed =
                    try connection.query(
                        """
                        INSERT INTO operations (idempotency_key, kind, request) VALUES ($1, $2, $3::jsonb)
                        ON CONFLICT (idempotency_key) DO NOTHING
                        """, [key, kind, requestJSON]
                    ).affectedRows == 1
                if !claimed {
                    guard let stored: Result = try storedResult(key: key, kind: kind, request: request, on: connection) else {
                        throw LedgerError.idempotencyKeyReused(key)
                    }
                    return stored
                }
                let result = try body(connection)
                try connection.query(
                    "UPDATE operations SET result = $2::jsonb WHERE idempotency_key = $1", [key, PostgresJSON(result)])
                return result
            }
        }
        try? wakeSyncWorkers()
        return result
    }

    /// The first result stored under `key`, when the key was used for this same request; nil when the key is
    /// unknown; throws `idempotencyKeyReused` when it was used for something else.
    func storedResult<Request: Encodable & Sendable, Result: Codable & Sendable>(
        key: String, kind: String, request: Request, on connection: PostgresConnection
    ) throws -> Result? {
        let rows = try connection.query(
            "SELECT kind = $2 AND request = $3::jsonb, result FROM operations WHERE idempotency_key = $1",
            [key, kind, PostgresJSON(request)])
        guard let row = rows.first else { return nil }
        guard try row.decode(Bool.self, at: 0), let stored = try row.decode(PostgresJSONValue<Result>?.self, at: 1) else {
            throw LedgerError.idempotencyKeyReused(key)
        }
        return stored.value
    }

    /// Wakes the sync workers of every replica (`WakeChannel.outbox`) after a change to levels or the outbox
    /// committed (see `WakeAfterCommit`), at once or, within 5 ms of the last wake-up, at the end of that interval
    /// (`WakeCoalescer`). The ledger's own operations ignore a failure here: a lost wake-up only delays the push
    /// until the workers' next scan.
    package func wakeSyncWorkers() throws {
        try outboxWake.wake()
    }

    static func requireKey(_ key: String) throws {
        guard !key.isEmpty, key.utf8.count <= 300 else {
            throw LedgerError.invalidArgument("an idempotency key of 1 to 300 bytes is required")
        }
    }

    /// Maps integrity errors the schema raises (unknown SKU or location) and results beyond the quantity
    /// columns' range to `LedgerError`s.
    func translatingDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == SQLState.numericValueOutOfRange {
            throw LedgerError.invalidArgument("the result would be out of range: the ledger holds quantities up to \(QuantityRange.maximum)")
        } catch let error as PostgresError where error.sqlState == SQLState.foreignKeyViolation {
            let detail = error.detail ?? ""
            let value = detail.firstMatch(of: /=\((.*)\)/).map { String($0.1) } ?? ""
            if error.constraint?.hasSuffix("_location_fkey") == true { throw LedgerError.unknownLocation(value) }
            if error.constraint?.hasSuffix("_sku_fkey") == true { throw LedgerError.unknownSKU(value) }
            throw error
        }
    }
}
