import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

@Suite struct StockOperationTests {
    let fixture: LedgerFixture
    var ledger: StockLedger { fixture.ledger }
    let sku = "TSHIRT-RED-M"
    let warehouse = LedgerFixture.warehouse

    init() throws { fixture = try LedgerFixture() }

    @Test func receiveAddsStockAndRepeatsIdempotently() throws {
        let first = try ledger.receive(sku: sku, location: warehouse, quantity: 10, reference: "PO-1", key: "po-1")
        let again = try ledger.receive(sku: sku, location: warehouse, quantity: 10, reference: "PO-1", key: "po-1")
        #expect(first == again, "a repeat returns the first result")
        #expect(first.levels[0].onHand == 10)
        #expect(try ledger.stock(sku: sku).locations.first { $0.location == warehouse }?.onHand == 10)
        #expect(try fixture.scalar("SELECT count(*) FROM movements") == 1)
        #expect(throws: LedgerError.idempotencyKeyReused("po-1")) {
            try ledger.receive(sku: sku, location: warehouse, quantity: 11, reference: "PO-1", key: "po-1")
        }
    }

    @Test func versionGrowsWithEveryChange() throws {
        let a = try ledger.receive(sku: sku, location: warehouse, quantity: 1, key: "a").levels[0].version
        let b = try ledger.receive(sku: sku, location: warehouse, quantity: 1, key: "b").levels[0].version
        let c = try ledger.sell(sku: sku, location: warehouse, quantity: 1, key: "c").levels[0].version
        #expect(a < b && b < c)
    }

    @Test func unknownNamesAreTypedErrors() throws {
        #expect(throws: LedgerError.unknownSKU("NOPE")) {
            try ledger.receive(sku: "NOPE", location: warehouse, quantity: 1, key: LedgerFixture.key())
        }
        #expect(throws: LedgerError.unknownLocation("nowhere")) {
            try ledger.receive(sku: sku, location: "nowhere", quantity: 1, key: LedgerFixture.key())
        }
        #expect(throws: LedgerError.unknownSKU("NOPE")) {
            try ledger.sell(sku: "NOPE", location: warehouse, quantity: 1, key: LedgerFixture.key())
        }
        #expect(throws: LedgerError.invalidArgument("quantity out of range: it must be a whole number from 1 to 2147483647")) {
            try ledger.receive(sku: sku, location: warehouse, quantity: 0, key: LedgerFixture.key())
        }
        #expect(try fixture.scalar("SELECT count(*) FROM operations") == 0, "refused operations leave no key behind")
    }

    @Test func adjustIsSignedAndCannotGoBelowReserved() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "r")
        _ = try ledger.reserve(ReservationRequest(sku: sku, location: warehouse, quantity: 3, kind: .order), key: "res")
        let damaged = try ledger.adjust(sku: sku, location: warehouse, delta: -2, reason: "damaged", reference: "QC-7", key: "adj-1")
        #expect(damaged.levels[0].onHand == 3)
        #expect(throws: LedgerError.insufficientStock(sku: sku, location: warehouse, requested: 1, available: 0)) {
            try ledger.adjust(sku: sku, location: warehouse, delta: -1, reason: "damaged", key: "adj-2")
        }
        let found = try ledger.adjust(sku: sku, location: warehouse, delta: 4, reason: "found", key: "adj-3")
        #expect(found.levels[0].onHand == 7)
        #expect(try ledger.adjust(sku: sku, location: warehouse, delta: 4, reason: "found", key: "adj-3") == found)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func countSetsOnHandAndRecordsTheDifference() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 10, key: "r")
        let counted = try ledger.count(sku: sku, location: warehouse, onHand: 7, reference: "stocktake", key: "count-1")
        #expect(counted.levels[0].onHand == 7)
        let delta = try fixture.scalar("SELECT delta FROM movements WHERE reason = 'count'")
        #expect(delta == -3)
        let same = try ledger.count(sku: sku, location: warehouse, onHand: 7, key: "count-2")
        #expect(same.movementIDs.isEmpty, "a count equal to on hand writes no movement")
        #expect(try ledger.count(sku: sku, location: warehouse, onHand: 7, reference: "stocktake", key: "count-1") == counted)
        #expect(try ledger.count(sku: sku, location: LedgerFixture.plainStore, onHand: 0, key: "count-3").levels.isEmpty)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func countBelowPickupReservationsFlagsAShortfall() throws {
        let store = LedgerFixture.store
        _ = try ledger.receive(sku: sku, location: store, quantity: 3, key: "r")
        let hold = try ledger.reserve(
            ReservationRequest(sku: sku, location: store, quantity: 2, kind: .pickup, channel: "webshop", externalRef: "WEB-1"),
            key: "pickup")
        let counted = try ledger.count(sku: sku, location: store, onHand: 1, reference: "POS count", key: "c")
        #expect(counted.levels[0].oversold)
        #expect(counted.levels[0].available == -1)
        let conflict = try fixture.database.pool.query(
            "SELECT kind, detail->>'shortfall', detail->'reservations'->0->>'id' FROM conflicts"
        ) { rows in (try rows[0].decode(String.self, at: 0), try rows[0].decode(String.self, at: 1), try rows[0].decode(String.self, at: 2)) }
        #expect(conflict.0 == "pickup_shortfall")
        #expect(conflict.1 == "1")
        #expect(conflict.2 == hold.reservation.id)
        #expect(try ledger.pickupAvailable(sku: sku, store: store) == 0)
        // Releasing the pickup brings the level back into shape and clears the flag.
        let released = try ledger.release(reservationID: hold.reservation.id)
        #expect(released.level?.oversold == false)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func transferMovesBothSidesOrNeither() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "r")
        let moved = try ledger.transfer(sku: sku, from: warehouse, to: LedgerFixture.store, quantity: 2, key: "t1")
        #expect(moved.levels.map(\.onHand) == [3, 2])
        #expect(moved.movementIDs.count == 2)
        #expect(throws: LedgerError.insufficientStock(sku: sku, location: warehouse, requested: 4, available: 3)) {
            try ledger.transfer(sku: sku, from: warehouse, to: LedgerFixture.store, quantity: 4, key: "t2")
        }
        #expect(throws: LedgerError.unknownLocation("mars")) {
            try ledger.transfer(sku: sku, from: warehouse, to: "mars", quantity: 1, key: "t3")
        }
        let report = try ledger.stock(sku: sku)
        #expect(report.locations.first { $0.location == warehouse }?.onHand == 3, "a failed transfer takes nothing from the source")
        #expect(report.locations.first { $0.location == LedgerFixture.store }?.onHand == 2)
        #expect(try ledger.transfer(sku: sku, from: warehouse, to: LedgerFixture.store, quantity: 2, key: "t1") == moved)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func sellAndReturn() throws {
        _ = try ledger.receive(sku: sku, location: warehouse, quantity: 2, key: "r")
        _ = try ledger.sell(sku: sku, location: warehouse, quantity: 2, reference: "walk-in", key: "s1")
        #expect(throws: LedgerError.insufficientStock(sku: sku, location: warehouse, requested: 1, available: 0)) {
            try ledger.sell(sku: sku, location: warehouse, quantity: 1, key: "s2")
        }
        let returned = try ledger.returnStock(sku: sku, location: warehouse, quantity: 1, reference: "RMA-1", key: "ret")
        #expect(returned.levels[0].onHand == 1)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func sqlInSKUNamesIsStoredVerbatim() throws {
        let hostile = "R'); DELETE FROM levels; --"
        try fixture.catalog.upsertSKU(hostile, name: "\"; DROP TABLE skus; --")
        _ = try ledger.receive(sku: hostile, location: warehouse, quantity: 3, key: "r")
        let report = try ledger.stock(sku: hostile)
        #expect(report.sku == hostile)
        #expect(report.name == "\"; DROP TABLE skus; --")
        #expect(report.locations.first { $0.location == warehouse }?.onHand == 3)
    }
}
