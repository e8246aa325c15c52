import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Ledger
import Sync
import TestSupport
import Testing

/// A Mirakl shop against the real ledger: listings found by `shop_sku`, OR11 orders imported once, a refused order
/// releasing what it held.
@Suite struct MiraklReconcileTests {
    typealias Harness = ReconcileHarness

    @Test func ordersPolledFromMiraklAreImportedOnceAndARefusalReleasesThem() async throws {
        let harness = try Harness()
        let shop = try await harness.addMirakl("empik")
        shop.addOffer(shopSKU: "MUG", ean: "5901234123457", quantity: 10)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r")
        let created = Date().addingTimeInterval(-60)
        shop.putOrder(id: "E-100-A", state: "WAITING_ACCEPTANCE", lines: [.init(offerSKU: "MUG", quantity: 2)], created: created)

        let report = try await harness.reconcile()
        let channel = try #require(report.channels.first)
        #expect(channel.errors == [])
        #expect(channel.missedOrders == 1)
        #expect(try harness.ledger.activeReservations(channel: "empik", externalRef: "E-100-A").map(\.quantity) == [2])
        harness.startWorker()
        #expect(await harness.eventually { shop.offer("MUG")?.quantity == 8 }, "OF24 publishes the value with the order reserved")
        #expect(shop.offer("MUG")?.price == 19.99, "the rest of the offer is kept")
        let listing = try harness.fixture.catalog.listings(channel: "empik")?.first { $0.sku == "MUG" }
        #expect(listing?.externalID == "MUG", "discovered by shop_sku")

        let again = try await harness.reconcile()
        #expect(again.channels.first?.missedOrders == 0)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reservations") == 1)

        shop.setOrderState("E-100-A", "REFUSED", at: Date())
        _ = try await harness.reconcile()
        #expect(try harness.ledger.activeReservations(channel: "empik", externalRef: "E-100-A").isEmpty)
        #expect(try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") == 0)
        #expect(await harness.eventually { shop.offer("MUG")?.quantity == 10 }, "the refused units are offered again")
        await harness.shutdown()
    }
}
