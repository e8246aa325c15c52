import ChannelSimulators
import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

/// An order the ledger refuses, found by reconcile in a channel's order feed, is set aside for an operator
/// and never blocks the orders behind it.
@Suite struct ReconcilePoisonOrderTests {
    @Test func anOrderForAnUnknownSKUIsSetAsideAndTheNextOrderIsImported() async throws {
        let harness = try ReconcileHarness()
        let shop = try await harness.addWooCommerce("woo")
        _ = shop.addProduct(sku: "MUG", stock: 10)
        _ = try harness.ledger.receive(sku: "MUG", location: ReconcileHarness.warehouse, quantity: 10, key: "r")
        let poison = shop.addOrder(lines: [("NOT-IN-LEDGER", 1)])
        let good = shop.addOrder(lines: [("MUG", 2)])

        let report = try await harness.reconcile()
        #expect(report.channels.first?.errors == [])
        #expect(try harness.ledger.activeReservations(channel: "woo", externalRef: String(good.id)).map(\.quantity) == [2])
        let open = try harness.pool.query(
            "SELECT detail->>'order', detail->>'error' FROM conflicts WHERE kind = 'missed_order' AND resolved_at IS NULL"
        ) { rows in try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) } }
        #expect(open.map(\.0) == [String(poison.id)])
        #expect(open.first?.1.contains("NOT-IN-LEDGER") == true)

        // Seen again (the feed overlaps its cursor): still one open conflict; once the SKU exists it is imported.
        _ = try await harness.reconcile()
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'missed_order' AND resolved_at IS NULL") == 1)
        try harness.fixture.catalog.upsertSKU("NOT-IN-LEDGER")
        _ = try harness.ledger.receive(sku: "NOT-IN-LEDGER", location: ReconcileHarness.warehouse, quantity: 3, key: "r2")
        _ = try await harness.reconcile()
        #expect(try harness.ledger.activeReservations(channel: "woo", externalRef: String(poison.id)).map(\.quantity) == [1])
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'missed_order' AND resolved_at IS NULL") == 0)
        await harness.shutdown()
    }
}
