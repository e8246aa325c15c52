import Foundation
import Ledger
import TestSupport
import Testing

@testable import Benchmarks

/// The hot-SKU phase runs once per round on one database: each round must sell its own stock with fresh idempotency
/// keys. With keys that repeated from round to round, every round after the first spent its clients' requests on the
/// earlier rounds' keys (refused as reused for another request) and measured that instead of the hot SKU.
@Suite struct LedgerWriteBenchTests {
    @Test func eachHotSKURoundSellsItsStockWithNoRequestRefusedForAnythingButStock() throws {
        let fixture = try LedgerFixture(skus: [], maxConnections: 12)
        let bench = LedgerWriteBench(ledger: fixture.ledger, location: LedgerFixture.warehouse)
        for round in 1...2 {
            let sku = "HOT-\(round)"
            try fixture.catalog.upsertSKU(sku)
            _ = try fixture.ledger.receive(sku: sku, location: LedgerFixture.warehouse, quantity: 40, key: LedgerFixture.key())
            let result = bench.hotSKU(clients: 4, sku: sku, stock: 40)
            #expect(result.succeeded == 40, "round \(round)")
            #expect(result.refusedOtherwise == 0, "round \(round): requests refused for something other than stock")
        }
        #expect(try fixture.ledger.verify().isEmpty)
    }

    /// The statement ceiling counts only reservations it made, each one a reservation row and a unit reserved, and
    /// leaves the ledger consistent: a figure that counted refusals or lost writes would overstate the ceiling.
    @Test func statementCeilingCountsTheReservationsItMade() throws {
        let fixture = try LedgerFixture(skus: [], maxConnections: 6)
        try BenchCatalog.create(pool: fixture.database.pool, skus: 12, locations: [LedgerFixture.warehouse], onHand: 1000)
        let bench = LedgerWriteBench(ledger: fixture.ledger, location: LedgerFixture.warehouse)
        // A quarter of the requests name SKUs the catalogue lacks: refused, and not to be counted.
        let result = bench.statementCeiling(connections: 2, batch: 4, skus: 16, seconds: 0.3)
        #expect(result.made > 0)
        #expect(try fixture.scalar("SELECT count(*)::int FROM reservations WHERE idempotency_key LIKE 'bench-ceiling-%'") == result.made)
        #expect(try fixture.scalar("SELECT sum(reserved)::int FROM levels WHERE location = $1", [LedgerFixture.warehouse]) == result.made)
        #expect(try fixture.ledger.verify().isEmpty)
    }
}
