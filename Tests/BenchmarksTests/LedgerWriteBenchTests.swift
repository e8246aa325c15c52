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
}
