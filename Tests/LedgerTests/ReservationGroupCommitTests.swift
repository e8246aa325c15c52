import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Reservations through the group commit, met in one batch by `BatchedCalls`.
@Suite struct ReservationGroupCommitTests {
    let fixture: LedgerFixture
    let ledger: StockLedger
    let warehouse = LedgerFixture.warehouse

    init() throws {
        fixture = try LedgerFixture(skus: ["MUG", "CAP", "HAT", "SOCK", "BAG", "BELT", "SCARF"], maxConnections: 16)
        ledger = StockLedger(
            pool: fixture.database.pool, groupCommit: GroupCommitSettings(window: 0.05, maxBatch: 64, maxInFlight: 1))
    }

    var batch: BatchedCalls { BatchedCalls(fixture: fixture) }

    func request(_ sku: String, _ quantity: Int = 1) -> ReservationRequest {
        ReservationRequest(sku: sku, location: warehouse, quantity: quantity, kind: .checkout)
    }

    /// A key whose movement exists (an expiry's) but that has no stored operation: reusing it as a request's key fails
    /// the statement (on the unique movement key), which is not a refusal but the failure of the whole batch.
    func keyThatFailsABatch() throws -> String {
        let due = try ledger.reserve(
            ReservationRequest(sku: "MUG", location: warehouse, quantity: 1, kind: .checkout, expiresAt: Date().addingTimeInterval(-1)),
            key: "due")
        _ = try ledger.expireDueReservations()
        return "expire:\(due.reservation.id)"
    }

    @Test func aHotSKUSellsExactlyItsStockInOneBatch() throws {
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 10, key: "stock")
        let outcomes = Outcomes()
        let reserve: @Sendable (Int) -> Void = { [ledger] index in
            do {
                _ = try ledger.reserve(
                    ReservationRequest(sku: "MUG", location: LedgerFixture.warehouse, quantity: 1, kind: .checkout), key: "hot-\(index)")
                outcomes.record(success: true)
            } catch LedgerError.insufficientStock(_, _, 1, 0) {
                outcomes.record(success: false)
            } catch {
                outcomes.record(error: error)
            }
        }
        try batch.run(lock: "MUG", first: { reserve(0) }, rest: (1..<30).map { index -> @Sendable () -> Void in { reserve(index) } })
        #expect(outcomes.errors.isEmpty, "\(outcomes.errors)")
        #expect(outcomes.successes == 10)
        #expect(outcomes.refusals == 20)
        #expect(try fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG' AND location = $1", [warehouse]) == 10)
        #expect(try fixture.scalar("SELECT count(*) FROM reservations WHERE sku = 'MUG'") == 10)
        #expect(try batch.transactions("SELECT xmin FROM reservations WHERE sku = 'MUG'") == 2, "the first alone, the rest in one batch")
        #expect(try ledger.verify().isEmpty)
    }

    /// A batch changes each level once, by what it accepted for it, yet every receipt shows its own request's share.
    @Test func aHotSKUBatchUpdatesItsLevelOnceAndEachReceiptShowsItsOwnReservation() throws {
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 10, key: "stock")
        let results = Results<ReservationReceipt>()
        let names = (1...5).map { "hot-\($0)" }
        try batch.run(
            lock: "MUG", first: { [ledger] in results.record("first", Result { try ledger.reserve(self.request("MUG"), key: "first") }) },
            rest: names.map { name -> @Sendable () -> Void in
                { [ledger] in results.record(name, Result { try ledger.reserve(self.request("MUG", 2), key: name) }) }
            })
        let batched = names.compactMap { try? results.get($0) }
        let refused = names.compactMap { results.error($0) as? LedgerError }
        #expect(Set(batched.compactMap(\.level?.reserved)) == [3, 5, 7, 9], "each request's own running total")
        #expect(refused == [.insufficientStock(sku: "MUG", location: warehouse, requested: 2, available: 1)])
        #expect(Set(batched.compactMap(\.level?.version)).count == 1, "one update of the level for the batch")
        #expect(try fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG' AND location = $1", [warehouse]) == 9)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE reason = 'reservation' AND reserved_delta = 2") == 4)
        #expect(try ledger.verify().isEmpty)
    }

    @Test func aKeyRepeatedInOneBatchReservesOnceAndEveryRepeatGetsTheSameReceipt() throws {
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 10, key: "stock")
        let ids = IDs()
        let outcomes = Outcomes()
        let twin = request("MUG", 2)
        let repeated: @Sendable () -> Void = { [ledger] in
            do { ids.add(try ledger.reserve(twin, key: "twin").reservation.id) } catch { outcomes.record(error: error) }
        }
        let other: @Sendable (Int) -> Void = { [ledger, warehouse] index in
            do {
                _ = try ledger.reserve(ReservationRequest(sku: "MUG", location: warehouse, quantity: 1, kind: .order), key: "other-\(index)")
            } catch { outcomes.record(error: error) }
        }
        let others = (1...3).map { index -> @Sendable () -> Void in { other(index) } }
        try batch.run(lock: "MUG", first: { other(0) }, rest: Array(repeating: repeated, count: 6) + others)
        #expect(outcomes.errors.isEmpty, "\(outcomes.errors)")
        #expect(ids.values.count == 6)
        #expect(Set(ids.values).count == 1, "every repeat of the key got the first receipt")
        #expect(try fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG' AND location = $1", [warehouse]) == 2 + 4)
        #expect(try fixture.scalar("SELECT count(*) FROM reservations WHERE idempotency_key = 'twin'") == 1)
        #expect(try batch.transactions("SELECT xmin FROM reservations WHERE sku = 'MUG'") == 2, "the repeats did not break the batch")
        #expect(try ledger.verify().isEmpty)
    }

    /// A receipt comes back as columns and is stored as JSON with the expiry to the second; a repeated request gets
    /// the stored one, so both must show the same expiry.
    @Test func aBatchedReceiptWithAFractionalExpiryEqualsTheStoredOneARepeatGets() throws {
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 10, key: "stock")
        let expiry = Date(timeIntervalSince1970: 1_900_000_000.75)
        let lapsing = ReservationRequest(sku: "MUG", location: warehouse, quantity: 1, kind: .checkout, expiresAt: expiry)
        let results = Results<ReservationReceipt>()
        let names = (1...3).map { "lapsing-\($0)" }
        try batch.run(
            lock: "MUG", first: { [ledger] in results.record("first", Result { try ledger.reserve(lapsing, key: "first") }) },
            rest: names.map { name -> @Sendable () -> Void in
                { [ledger] in results.record(name, Result { try ledger.reserve(lapsing, key: name) }) }
            })
        #expect(try batch.transactions("SELECT xmin FROM reservations WHERE sku = 'MUG'") == 2, "the first alone, the rest in one batch")
        for name in ["first"] + names {
            let receipt = try results.get(name)
            #expect(receipt.reservation.expiresAt == Date(timeIntervalSince1970: 1_900_000_000))
            #expect(try ledger.reserve(lapsing, key: name) == receipt)
        }
        let released = try ledger.release(reservationID: try results.get("first").reservation.id)
        #expect(try ledger.release(reservationID: try results.get("first").reservation.id) == released)
    }

    @Test func refusalsInABatchRefuseOnlyTheirOwnRequest() throws {
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 5, key: "stock-mug")
        _ = try ledger.receive(sku: "CAP", location: warehouse, quantity: 5, key: "stock-cap")
        _ = try ledger.reserve(request("CAP", 1), key: "used")
        let results = Results<ReservationReceipt>()
        let calls: [(String, ReservationRequest)] = [
            ("good-1", request("MUG")), ("too-many", request("MUG", 100)), ("unknown", request("NO-SUCH-SKU")),
            ("used", request("CAP", 3)), ("good-2", request("CAP")),
        ]
        let first = request("MUG")
        try batch.run(
            lock: "MUG", first: { [ledger] in results.record("first", Result { try ledger.reserve(first, key: "first") }) },
            rest: calls.map { key, request -> @Sendable () -> Void in
                { [ledger] in results.record(key, Result { try ledger.reserve(request, key: key) }) }
            })
        #expect(try results.get("first").level?.reserved == 1)
        #expect(try results.get("good-1").level?.reserved == 2)
        #expect(try results.get("good-2").level?.reserved == 2)
        #expect(results.error("too-many") as? LedgerError == .insufficientStock(sku: "MUG", location: warehouse, requested: 100, available: 3))
        #expect(results.error("unknown") as? LedgerError == .unknownSKU("NO-SUCH-SKU"))
        #expect(results.error("used") as? LedgerError == .idempotencyKeyReused("used"))
        #expect(try batch.transactions("SELECT xmin FROM reservations WHERE idempotency_key LIKE 'good-%'") == 1, "one batch")
        #expect(try ledger.verify().isEmpty)
    }

    /// A batch whose requests each change a different level runs as one statement; its refusals are its requests' own.
    @Test func aBatchAcrossLevelsRefusesOnlyItsOwnRequests() throws {
        for sku in ["MUG", "CAP", "HAT", "SOCK", "BAG", "BELT", "SCARF"] {
            _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "stock-\(sku)")
        }
        _ = try ledger.reserve(request("SOCK", 1), key: "used")
        let results = Results<ReservationReceipt>()
        let calls: [(String, String, ReservationRequest)] = [
            ("good-1", "good-1", request("CAP", 2)), ("too-many", "too-many", request("HAT", 100)),
            ("unknown", "unknown", request("NO-SUCH-SKU")), ("used", "used", request("SOCK", 3)),
            ("twin-bag", "twin", request("BAG")), ("twin-belt", "twin", request("BELT")), ("good-2", "good-2", request("SCARF", 5)),
        ]
        let first = request("MUG")
        try batch.run(
            lock: "MUG", first: { [ledger] in results.record("first", Result { try ledger.reserve(first, key: "first") }) },
            rest: calls.map { name, key, request -> @Sendable () -> Void in
                { [ledger] in results.record(name, Result { try ledger.reserve(request, key: key) }) }
            })
        #expect(try results.get("good-1").level?.sku == "CAP")
        #expect(try results.get("good-1").level?.reserved == 2)
        #expect(try results.get("good-2").level?.reserved == 5)
        #expect(results.error("too-many") as? LedgerError == .insufficientStock(sku: "HAT", location: warehouse, requested: 100, available: 5))
        #expect(results.error("unknown") as? LedgerError == .unknownSKU("NO-SUCH-SKU"))
        #expect(results.error("used") as? LedgerError == .idempotencyKeyReused("used"))
        // One key for two different requests: the first in the batch reserves, the other is refused as a reused key.
        let twinErrors = ["twin-bag", "twin-belt"].compactMap { results.error($0) as? LedgerError }
        #expect(twinErrors == [.idempotencyKeyReused("twin")])
        #expect(["twin-bag", "twin-belt"].compactMap { try? results.get($0) }.count == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM reservations WHERE idempotency_key = 'twin'") == 1)
        #expect(try fixture.scalar("SELECT coalesce(sum(reserved), 0) FROM levels WHERE sku IN ('BAG', 'BELT')") == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE reason = 'reservation'") == 5)
        #expect(try batch.transactions("SELECT xmin FROM reservations WHERE idempotency_key IN ('good-1', 'good-2', 'twin')") == 1, "one batch")
        #expect(try ledger.verify().isEmpty)
    }

    @Test func aRequestThatFailsABatchAcrossLevelsFailsAloneAndTheOthersApply() throws {
        for sku in ["MUG", "CAP", "HAT", "SOCK"] {
            _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "stock-\(sku)")
        }
        let orphan = try keyThatFailsABatch()
        let results = Results<ReservationReceipt>()
        let calls = [("good-1", request("CAP")), (orphan, request("HAT")), ("good-2", request("SOCK"))]
        let first = request("MUG")
        try batch.run(
            lock: "MUG", first: { [ledger] in results.record("first", Result { try ledger.reserve(first, key: "first") }) },
            rest: calls.map { key, request -> @Sendable () -> Void in
                { [ledger] in results.record(key, Result { try ledger.reserve(request, key: key) }) }
            })
        for key in ["first", "good-1", "good-2"] { #expect(throws: Never.self) { try results.get(key) } }
        #expect(results.error(orphan) != nil)
        #expect(try fixture.scalar("SELECT reserved FROM levels WHERE sku = 'HAT' AND location = $1", [warehouse]) == 0)
        #expect(try batch.transactions("SELECT xmin FROM reservations WHERE idempotency_key LIKE 'good-%'") == 2, "run again one by one")
        #expect(try ledger.verify().isEmpty)
    }

    @Test func aRequestThatFailsTheBatchFailsAloneAndTheOthersApply() throws {
        _ = try ledger.receive(sku: "MUG", location: warehouse, quantity: 5, key: "stock")
        let orphan = try keyThatFailsABatch()
        let results = Results<ReservationReceipt>()
        let keys = ["good-1", orphan, "good-2", "good-3"]
        let one = request("MUG")
        try batch.run(
            lock: "MUG", first: { [ledger] in results.record("first", Result { try ledger.reserve(one, key: "first") }) },
            rest: keys.map { key -> @Sendable () -> Void in
                { [ledger] in results.record(key, Result { try ledger.reserve(one, key: key) }) }
            })
        for key in ["first", "good-1", "good-2", "good-3"] { #expect(throws: Never.self) { try results.get(key) } }
        #expect(results.error(orphan) != nil)
        #expect(try fixture.scalar("SELECT count(*) FROM reservations WHERE idempotency_key = $1", [orphan]) == 0)
        #expect(try fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG' AND location = $1", [warehouse]) == 4)
        #expect(try batch.transactions("SELECT xmin FROM reservations WHERE idempotency_key LIKE 'good-%'") == 3, "run again one by one")
        #expect(try ledger.verify().isEmpty)
    }
}
