import Foundation
import PostgresClient

/// One reservation as the group commit carries it: the parameters of `reserveStatement` and the level it changes.
struct ReserveCall: Sendable {
    var sku: String
    var location: String
    var parameters: [any PostgresBindable]
}

extension StockLedger {
    /// Runs reservations that arrived together (see `GroupCommit`); a receipt for each one applied now, nil for one
    /// refused or whose key was used before (the caller then explains the refusal or returns the stored result).
    ///
    /// One request alone runs `reserveStatement` in autocommit, as before there was group commit. A batch runs it once
    /// per request in one pipelined transaction, ordered by level: batches lock levels in one order (no deadlock between
    /// them) and requests for the same level keep their arrival order, each evaluated against the stock the previous
    /// one left. The statement checks the key itself, so a key repeated within the batch or used before refuses just
    /// that request; anything that fails the transaction (a concurrent twin's key, a lost connection) fails the whole
    /// batch, which `GroupCommit` then runs again one request at a time. One wake-up per batch.
    static func reserveBatch(_ calls: [ReserveCall], pool: PostgresPool) throws -> [ReservationReceipt?] {
        guard calls.count > 1 else { return [try reserveAlone(calls[0], pool: pool)] }
        let order = calls.indices.sorted { (calls[$0].sku, calls[$0].location, $0) < (calls[$1].sku, calls[$1].location, $1) }
        return try pool.withConnection { connection in
            let results = try connection.pipelinedTransaction(reserveStatement, order.map { calls[$0].parameters })
            var receipts = [ReservationReceipt?](repeating: nil, count: calls.count)
            for (position, index) in order.enumerated() {
                receipts[index] = try results[position].first?.decode(PostgresJSONValue<ReservationReceipt>.self, at: 0).value
            }
            if receipts.contains(where: { $0 != nil }) { try? WakeAfterCommit.send(.outbox, on: connection) }
            return receipts
        }
    }

    private static func reserveAlone(_ call: ReserveCall, pool: PostgresPool) throws -> ReservationReceipt? {
        let receipt: ReservationReceipt?
        do {
            receipt = try pool.query(reserveStatement, call.parameters) { rows in
                try rows.first?.decode(PostgresJSONValue<ReservationReceipt>.self, at: 0).value
            }
        } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
            return nil  // a concurrent twin with the same key committed first
        }
        if receipt != nil { try? WakeAfterCommit.send(.outbox, pool: pool) }
        return receipt
    }
}
