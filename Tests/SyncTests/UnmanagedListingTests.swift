import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Ledger
import Logging
import Sync
import TestSupport
import Testing

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

    @Test func withFlagAnUnmanagedProductIsAnOpenConflictUntilItManagesStock() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo", unmanaged: .flag)
        let product = shop.addUnmanagedProduct(sku: "MUG")
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 7, key: "r")
        _ = try await ListingDiscovery(pool: harness.pool, logger: Logger(label: "test"))
            .discover(code: "woo", channel: try #require(harness.endpoints.first).channel)
        harness.startWorker()
        let open = "SELECT count(*) FROM conflicts WHERE kind = 'unmanaged_listing' AND channel = 'woo' AND sku = 'MUG' AND resolved_at IS NULL"
        #expect(try await harness.eventually { try harness.fixture.scalar(open) == 1 }, "the push finds it unmanaged and flags it")
        #expect(shop.managesStock(product) == false && shop.stock(of: product) == nil, "left as the shop has it")
        #expect(try SyncStatusReport.read(from: harness.pool).openConflicts["unmanaged_listing"] == 1, "omnistock status shows it")
        await harness.stopWorker()

        let report = try await harness.reconcile()
        #expect(report.findings.contains { $0.kind == .unmanagedListing && $0.sku == "MUG" })
        #expect(report.needsAttention)
        #expect(try harness.fixture.scalar(open) == 1, "flagged once")

        // The operator turns stock management on in wp-admin: reconcile settles the conflict, the ledger's value goes out.
        shop.setStock(of: product, to: 3)
        _ = try await harness.reconcile()
        #expect(try harness.fixture.scalar(open) == 0)
        harness.startWorker()
        #expect(await harness.eventually { shop.stock(of: product) == 7 })
        await harness.shutdown()
    }

    @Test func reconcileTurnsStockManagementOnForAnUnmanagedListing() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        let product = shop.addProduct(sku: "MUG", stock: 1)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 4, key: "r")
        harness.startWorker()
        #expect(await harness.eventually { shop.stock(of: product) == 4 && (try? harness.unpushed()) == 0 })
        await harness.stopWorker()
        shop.setManagesStock(product, false)

        let report = try await harness.reconcile()
        #expect(report.findings.contains { $0.kind == .unmanagedListing && $0.resolution == "stock management turned on by the next push" })
        harness.startWorker()
        #expect(await harness.eventually { shop.managesStock(product) == true && shop.stock(of: product) == 4 })
        await harness.shutdown()
    }
}
