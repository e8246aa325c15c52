import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Receipts, returns, sales and adjustments through the group commit, met in one batch by `BatchedCalls`.
@Suite struct MovementGroupCommitTests {
    let fixture: LedgerFixture
    let ledger: StockLedger
    let warehouse = LedgerFixture.warehouse
    var batch: BatchedCalls { BatchedCalls(fixture: fixture) }

    init() throws {
        fixture = try LedgerFixture(skus: ["MUG", "CAP", "HAT"], maxConnections: 16)
        ledger = StockLedger(
            pool: fixture.database.pool, groupCommit: GroupCommitSettings(window: 0.05, maxBatch: 64, maxInFlight: 1))
        for sku in ["MUG", "CAP", "HAT"] { _ = try ledger.receive(sku: sku, location: warehouse, quantity: 5, key: "stock-\(sku)") }
    }

    /// Runs `body` as the call named `name`, recording its outcome in `results`.
    func call(
        _ name: String, _ results: Results<StockChange>, _ body: @escaping @Sendable (StockLedger) throws -> StockChange
    )
        -> @Sendable () -> Void
    {
        { [ledger] in results.record(name, Result { try body(ledger) }) }
    }

    @Test func salesOfOneLevelInOneBatchSellExactlyItsStock() throws {
        let results = Results<StockChange>()
        let sales = (0..<12).map { index in
            call("sale-\(index)", results) { [warehouse] in try $0.sell(sku: "MUG", location: warehouse, quantity: 1, key: "sale-\(index)") }
        }
        try batch.run(lock: "MUG", first: sales[0], rest: Array(sales.dropFirst()))

        let sold = try (0..<12).compactMap { try? results.get("sale-\($0)") }.map { try #require($0.levels.first) }
        #expect(sold.count == 5)
        #expect(Set(sold.map(\.onHand)) == [0, 1, 2, 3, 4], "each sale saw the stock the one before it left")
        let refusals = (0..<12).compactMap { results.error("sale-\($0)") as? LedgerError }
        #expect(refusals == Array(repeating: .insufficientStock(sku: "MUG", location: warehouse, requested: 1, available: 0), count: 7))
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG'") == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE reason = 'sale'") == 5)
        #expect(try batch.transactions("SELECT xmin FROM movements WHERE reason = 'sale'") == 2, "the first alone, the rest in one batch")
        #expect(try ledger.verify().isEmpty)
    }

    @Test func aMovementBatchKeepsEachRequestsOwnResultAndRefusal() throws {
        _ = try ledger.adjust(sku: "HAT", location: warehouse, delta: -1, reason: "damaged", key: "used")
        let results = Results<StockChange>()
        let warehouse = warehouse
        try batch.run(
            lock: "MUG", first: call("first", results) { try $0.sell(sku: "MUG", location: warehouse, quantity: 1, key: "first") },
            rest: [
                call("receipt", results) { try $0.receive(sku: "CAP", location: warehouse, quantity: 3, key: "receipt") },
                call("return", results) { try $0.returnStock(sku: "CAP", location: warehouse, quantity: 1, key: "return") },
                call("sale", results) { try $0.sell(sku: "HAT", location: warehouse, quantity: 2, key: "sale") },
                call("too-many", results) { try $0.sell(sku: "HAT", location: warehouse, quantity: 100, key: "too-many") },
                call("used", results) { try $0.adjust(sku: "HAT", location: warehouse, delta: -2, reason: "damaged", key: "used") },
                call("twin-1", results) { try $0.sell(sku: "CAP", location: warehouse, quantity: 1, key: "twin") },
                call("twin-2", results) { try $0.sell(sku: "CAP", location: warehouse, quantity: 1, key: "twin") },
                call("adjust", results) { try $0.adjust(sku: "CAP", location: warehouse, delta: 2, reason: "found", key: "adjust") },
            ])

        #expect(try results.get("sale").levels.first?.onHand == 2)
        #expect(try results.get("receipt").movementIDs.count == 1)
        #expect(results.error("too-many") as? LedgerError == .insufficientStock(sku: "HAT", location: warehouse, requested: 100, available: 2))
        #expect(results.error("used") as? LedgerError == .idempotencyKeyReused("used"))
        #expect(try results.get("twin-1") == results.get("twin-2"), "a key repeated in the batch gets the first result")
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE idempotency_key = 'twin'") == 1)
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'CAP'") == 5 + 3 + 1 - 1 + 2)
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'HAT'") == 2)
        #expect(try fixture.scalar("SELECT count(*) FROM movements WHERE reason = 'adjustment' AND reference = 'found'") == 1)
        #expect(
            try batch.transactions("SELECT xmin FROM movements WHERE idempotency_key IN ('receipt', 'return', 'sale', 'twin', 'adjust')") == 1,
            "one batch")
        #expect(try ledger.sell(sku: "HAT", location: warehouse, quantity: 2, key: "sale") == results.get("sale"), "a repeat gets the stored result")
        #expect(try ledger.verify().isEmpty)
    }

    @Test func aMovementThatFailsTheBatchFailsAloneAndTheOthersApply() throws {
        let results = Results<StockChange>()
        let warehouse = warehouse
        try batch.run(
            lock: "MUG", first: call("first", results) { try $0.sell(sku: "MUG", location: warehouse, quantity: 1, key: "first") },
            rest: [
                call("good-1", results) { try $0.receive(sku: "CAP", location: warehouse, quantity: 1, key: "good-1") },
                call("unknown", results) { try $0.receive(sku: "NO-SUCH-SKU", location: warehouse, quantity: 1, key: "unknown") },
                call("good-2", results) { try $0.sell(sku: "CAP", location: warehouse, quantity: 2, key: "good-2") },
                call("too-big", results) { try $0.receive(sku: "HAT", location: warehouse, quantity: Int(Int32.max), key: "too-big") },
            ])

        for name in ["first", "good-1", "good-2"] { #expect(throws: Never.self) { try results.get(name) } }
        #expect(results.error("unknown") as? LedgerError == .unknownSKU("NO-SUCH-SKU"))
        guard case .invalidArgument? = results.error("too-big") as? LedgerError else {
            Issue.record("a receipt beyond the quantity range: \(String(describing: results.error("too-big")))")
            return
        }
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'CAP'") == 4)
        #expect(try fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'HAT'") == 5)
        #expect(try fixture.scalar("SELECT count(*) FROM operations WHERE idempotency_key IN ('unknown', 'too-big')") == 0)
        #expect(try batch.transactions("SELECT xmin FROM movements WHERE idempotency_key LIKE 'good-%'") == 2, "run again one by one")
        #expect(try ledger.verify().isEmpty)
    }
}
