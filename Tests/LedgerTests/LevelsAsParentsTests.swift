import Dispatch
import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Movements and reservations hang from their level row, not from the location's one row that every write at that
/// location shares (migration 24).
@Suite struct LevelsAsParentsTests {
    let fixture: LedgerFixture
    let warehouse = LedgerFixture.warehouse

    init() throws {
        fixture = try LedgerFixture(skus: ["MUG", "CAP"])
        _ = try fixture.ledger.receive(sku: "MUG", location: warehouse, quantity: 5, key: "mug-stock")
        _ = try fixture.ledger.receive(sku: "CAP", location: warehouse, quantity: 5, key: "cap-stock")
    }

    /// Were writes to lock the location's row (as foreign keys to `locations` did), concurrent writers at one
    /// location would each need a MultiXact to share it; here another transaction holds that row exclusively and the
    /// writes go through anyway.
    @Test func writesAtALocationDoNotLockTheLocationsRow() throws {
        let holder = try PostgresConnection(conninfo: fixture.database.pool.conninfo)
        try holder.execute("BEGIN")
        try holder.query("SELECT 1 FROM locations WHERE code = $1 FOR UPDATE", [warehouse])
        let finished = DispatchSemaphore(value: 0)
        let outcome = Results<Int>()
        let ledger = fixture.ledger
        let warehouse = warehouse
        Thread {
            outcome.record(
                "reserve",
                Result {
                    try ledger.reserve(
                        ReservationRequest(sku: "MUG", location: warehouse, quantity: 2, kind: .checkout), key: "mug-reserve"
                    ).level?.reserved ?? -1
                })
            outcome.record(
                "sell", Result { try ledger.sell(sku: "CAP", location: warehouse, quantity: 1, key: "cap-sale").levels.first?.onHand ?? -1 })
            finished.signal()
        }.start()
        let doneWhileHeld = finished.wait(timeout: .now() + 10) == .success
        try holder.execute("COMMIT")
        if !doneWhileHeld { finished.wait() }
        #expect(doneWhileHeld, "the writes waited for the transaction holding the location's row")
        #expect(try outcome.get("reserve") == 2)
        #expect(try outcome.get("sell") == 4)
    }

    /// The database itself refuses a movement or a reservation whose SKU has no level at that location (with keys to
    /// `skus` and `locations` it took a movement for a SKU the location had never held).
    @Test func aMovementOrReservationWithoutItsLevelIsRefused() throws {
        let pool = fixture.database.pool
        let movement = #expect(throws: PostgresError.self) {
            try pool.execute(
                "INSERT INTO movements (sku, location, delta, reason, idempotency_key) VALUES ('MUG', $1, 1, 'receipt', 'orphan')",
                [LedgerFixture.secondWarehouse])
        }
        #expect(movement?.sqlState == SQLState.foreignKeyViolation)
        let reservation = #expect(throws: PostgresError.self) {
            try pool.execute(
                "INSERT INTO reservations (id, sku, location, quantity, kind, idempotency_key) VALUES ('r-orphan', 'HAT', $1, 1, 'checkout', 'orphan')",
                [warehouse])
        }
        #expect(reservation?.sqlState == SQLState.foreignKeyViolation)
    }
}
