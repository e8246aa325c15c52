import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Ledger
import Sync
import TestSupport
import Testing

/// A PrestaShop shop end to end with the ledger: listings found by reference (product and combination), levels
/// pushed to the stock_available rows, polled orders imported once and cancelled by their state.
@Suite struct PrestaShopReconcileTests {
    typealias Harness = ReconcileHarness

    @Test func listingsByReferenceAndPolledOrdersImportedOnce() async throws {
        let harness = try Harness()
        let shop = try await harness.addPrestaShop("presta")
        let mug = shop.addProduct(reference: "MUG", quantity: 0)
        let shirt = shop.addProductWithCombinations(reference: "TSHIRT", combinations: [("TSHIRT-RED-M", 0)])
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r1")
        _ = try harness.ledger.receive(sku: "TSHIRT-RED-M", location: Harness.warehouse, quantity: 4, key: "r2")
        harness.startWorker()
        #expect(await harness.eventually { shop.stock(mug.stock)?.quantity == 10 && shop.stock(shirt.stocks[0])?.quantity == 4 })
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shop.stock(shirt.total)?.quantity == 4, "the product row is the shop's sum, never pushed to")

        let order = shop.addOrder(lines: [("MUG", 2), ("TSHIRT-RED-M", 1)])
        let report = try await harness.reconcile()
        #expect(report.channels.first?.missedOrders == 1)
        #expect(report.channels.first?.errors == [])
        #expect(try harness.ledger.activeReservations(channel: "presta", externalRef: String(order.id)).map(\.quantity).sorted() == [1, 2])
        #expect(await harness.eventually { shop.stock(mug.stock)?.quantity == 8 && shop.stock(shirt.stocks[0])?.quantity == 3 })

        let again = try await harness.reconcile()
        #expect(again.channels.first?.missedOrders == 0)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reservations") == 2, "imported once")

        shop.updateOrder(order.id, state: 6, at: Date().addingTimeInterval(1))
        _ = try await harness.reconcile()
        #expect(try harness.ledger.activeReservations(channel: "presta", externalRef: String(order.id)).isEmpty, "Canceled releases it")
        #expect(await harness.eventually { shop.stock(mug.stock)?.quantity == 10 })
        await harness.shutdown()
    }
}
