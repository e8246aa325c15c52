import Channels
import ChannelSimulators
import Foundation
import Ledger
import Logging
import Sync
import Testing
import TestSupport

/// WooCommerce products with stock management off (WooCommerce's default for new products) sell without limit:
/// Omnistock either turns stock management on with its first push or flags them, never leaves them silent.
@Suite struct UnmanagedListingTests {
    typealias Harness = ReconcileHarness

    @Test func anUnmanagedProductGetsStockManagementWithTheFirstPush() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        let product = shop.addUnmanagedProduct(sku: "MUG")
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 7, key: "r")
        let found = try await ListingDiscovery(pool: harness.pool, logger: Logger(label: "test"))
            .discover(code: "woo", channel: try #require(harness.endpoints.first).channel)
        #expect(found == 1, "discovery maps the unmanaged product too")
        harness.startWorker()
        #expect(await harness.eventually { shop.stock(of: product) == 7 }, "the first push sets manage_stock and the quantity")
        #expect(shop.managesStock(product) == true)
        await harness.shutdown()
    }
}
