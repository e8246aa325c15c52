import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Ledger
import Logging
import Sync
import TestSupport
import Testing

/// An Erli shop against the real ledger: listings found by SKU, pushes Erli accepts but applies later, and orders
/// polled from its order search imported once, their cancellation released.
@Suite struct ErliReconcileTests {
    typealias Harness = ReconcileHarness

    @Test func erliListingsOrdersAndWritesInProgress() async throws {
        let harness = try Harness()
        let shop = try await harness.addErli("erli", applyDelay: 1)
        shop.addProduct(externalId: "MUG", stock: 0)
        shop.addProduct(externalId: "CAP", stock: 0)
        shop.addProduct(externalId: "NOT-OURS", stock: 3)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r1")
        _ = try harness.ledger.receive(sku: "CAP", location: Harness.warehouse, quantity: 4, key: "r2")
        let channel = try #require(harness.endpoints.first).channel
        let found = try await ListingDiscovery(pool: harness.pool, logger: Logger(label: "test")).discover(code: "erli", channel: channel)
        #expect(found == 2, "MUG and CAP, by SKU = externalId")

        harness.startWorker()
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        await harness.stopWorker()
        #expect(shop.product("MUG")?.stock == 0, "Erli accepted the push but does not show it yet")
        let settling = try await harness.reconcile()
        #expect(settling.channels.first?.drift == 0, "a write Erli accepted is not an edit at the channel")
        #expect(settling.channels.first?.errors == [])

        #expect(await harness.eventually { shop.product("MUG")?.stock == 10 && shop.product("CAP")?.stock == 4 })
        let order = try #require(shop.placeOrder([("MUG", 2)]))
        let report = try await harness.reconcile()
        #expect(report.channels.first?.missedOrders == 1)
        #expect(try harness.ledger.activeReservations(channel: "erli", externalRef: order).map(\.quantity) == [2])
        let again = try await harness.reconcile()
        #expect(again.channels.first?.missedOrders == 0, "the order is imported once")
        #expect(try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") == 2)

        shop.cancelOrder(order, at: Date().addingTimeInterval(2))
        #expect(shop.product("MUG")?.stock == 8, "Erli does not give the stock of a cancelled order back")
        let cancelled = try await harness.reconcile()
        #expect(cancelled.channels.first?.missedOrders == 1)
        #expect(try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") == 0)
        harness.startWorker()
        #expect(await harness.eventually { shop.product("MUG")?.stock == 10 }, "Omnistock's push puts it back")
        await harness.shutdown()
    }
}
