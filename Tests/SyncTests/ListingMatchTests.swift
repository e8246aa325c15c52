import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Ledger
import Logging
import PostgresClient
import Sync
import TestSupport
import Testing

/// Discovery against the simulators: a listing set by hand stays, ambiguous matches are conflicts, barcodes match,
/// and what matches nothing is reported (issue 13 part 3).
@Suite struct ListingMatchTests {
    typealias Harness = ReconcileHarness

    func discovery(_ harness: Harness) -> ListingDiscovery { ListingDiscovery(pool: harness.pool, logger: Logger(label: "test")) }

    func listing(_ harness: Harness, _ channel: String, _ sku: String) throws -> ListingMapping? {
        try harness.fixture.catalog.listings(channel: channel)?.first { $0.sku == sku }
    }

    func openDuplicates(_ harness: Harness, _ channel: String) throws -> [String] {
        try harness.pool.query(
            "SELECT sku FROM conflicts WHERE kind = 'duplicate_listing' AND channel = $1 AND resolved_at IS NULL ORDER BY sku", [channel]
        ) { rows in try rows.map { try $0.decode(String.self, at: 0) } }
    }

    @Test func discoveryNeverReplacesAListingSetByHandAndTheLedgerValueGoesToTheNewListing() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        let carryingTheSKU = shop.addProduct(sku: "MUG", stock: 0)
        let chosen = shop.addProduct(sku: "MUG-2024", stock: 0)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 6, key: "r")
        try harness.fixture.catalog.setListings([ListingMapping(channel: "woo", sku: "MUG", externalID: String(chosen))])

        let channel = try #require(harness.endpoints.first).channel
        try await discovery(harness).discover(code: "woo", channel: channel)
        try await discovery(harness).discover(code: "woo", channel: channel)
        let mapping = try #require(try listing(harness, "woo", "MUG"))
        #expect(mapping.externalID == String(chosen) && mapping.source == "manual", "the shop's own SKU points elsewhere; the hand mapping stays")
        #expect(try openDuplicates(harness, "woo").isEmpty, "an operator's choice is not a duplicate")

        harness.startWorker()
        #expect(await harness.eventually { shop.stock(of: chosen) == 6 }, "the ledger's value goes to the listing set by hand")
        #expect(shop.stock(of: carryingTheSKU) == 0, "the item the operator did not choose is left alone")
        await harness.shutdown()
    }

    @Test func aChangedMappingPushesTheLedgerValueToTheNewListingAtOnce() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        let first = shop.addProduct(sku: "MUG", stock: 0)
        let second = shop.addProduct(sku: "MUG-NEW", stock: 0)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 4, key: "r")
        try await discovery(harness).discover(code: "woo", channel: try #require(harness.endpoints.first).channel)
        harness.startWorker()
        #expect(await harness.eventually { shop.stock(of: first) == 4 && (try? harness.unpushed()) == 0 })

        try harness.fixture.catalog.setListings([ListingMapping(channel: "woo", sku: "MUG", externalID: String(second))])
        #expect(await harness.eventually { shop.stock(of: second) == 4 }, "no stock change needed: the new listing gets the value now")
        await harness.shutdown()
    }

    @Test func twoOffersCarryingOneSKUAreAnOpenConflictNotAPick() async throws {
        let harness = try Harness()
        let account = try await harness.addAllegro("allegro")
        account.addOffer(id: "7001", sku: "MUG", available: 0)
        account.addOffer(id: "7002", sku: "MUG", available: 0)
        account.addOffer(id: "7003", sku: "CAP", available: 0)
        let channel = try #require(harness.endpoints.first).channel

        let found = try await discovery(harness).discover(code: "allegro", channel: channel)
        #expect(found == 1, "CAP only")
        #expect(try listing(harness, "allegro", "MUG") == nil, "neither offer is picked")
        #expect(try openDuplicates(harness, "allegro") == ["MUG"])
        let items = try harness.pool.query(
            "SELECT detail->>'items' FROM conflicts WHERE kind = 'duplicate_listing' AND sku = 'MUG'"
        ) { try $0[0].decode(String.self, at: 0) }
        #expect(items == #"["7001", "7002"]"#)
        #expect(try SyncStatusReport.read(from: harness.pool).openConflicts["duplicate_listing"] == 1, "status shows it")

        try await discovery(harness).discover(code: "allegro", channel: channel)
        #expect(try openDuplicates(harness, "allegro") == ["MUG"], "reported once")

        try harness.fixture.catalog.setListings([ListingMapping(channel: "allegro", sku: "MUG", externalID: "7002")])
        #expect(try openDuplicates(harness, "allegro").isEmpty, "the operator's choice settles it")
        await harness.shutdown()
    }

    @Test func byBarcodeAnItemMatchesItsSKUAndOneBarcodeOnTwoSKUsIsAConflict() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        try harness.fixture.catalog.upsertSKU("TSHIRT-RED-M", barcode: "5901234123457")
        try harness.fixture.catalog.upsertSKU("MUG", barcode: "4006381333931")
        try harness.fixture.catalog.upsertSKU("CAP", barcode: "4006381333931")
        let tee = shop.addProduct(sku: "shop-tee-red-m", stock: 0)
        shop.setGlobalUniqueID(tee, "5901234123457")
        let mug = shop.addProduct(sku: "", stock: 0)
        shop.setGlobalUniqueID(mug, "4006381333931")
        _ = try harness.ledger.receive(sku: "TSHIRT-RED-M", location: Harness.warehouse, quantity: 3, key: "r")

        let channel = try #require(harness.endpoints.first).channel
        #expect(try await discovery(harness).discover(code: "woo", channel: channel, match: .sku) == 0, "no SKU is shared")
        #expect(try await discovery(harness).discover(code: "woo", channel: channel, match: .barcode) == 1)
        #expect(try listing(harness, "woo", "TSHIRT-RED-M")?.externalID == String(tee))
        #expect(try openDuplicates(harness, "woo") == ["CAP", "MUG"], "one product, two SKUs: no pick")
        harness.startWorker()
        #expect(await harness.eventually { shop.stock(of: tee) == 3 })
        await harness.shutdown()
    }

    @Test func shopifyVariantsMatchByBarcode() async throws {
        let harness = try Harness()
        let shop = try await harness.addShopify("shop")
        try harness.fixture.catalog.upsertSKU("MUG", barcode: "4006381333931")
        let item = shop.addVariant(sku: "HOUSE-MUG")
        shop.setBarcode(sku: "HOUSE-MUG", "4006381333931")
        let found = try await discovery(harness).discover(code: "shop", channel: try #require(harness.endpoints.first).channel, match: .barcode)
        #expect(found == 1)
        #expect(try listing(harness, "shop", "MUG")?.externalID == item)
        await harness.shutdown()
    }

    @Test func unmatchedNamesSKUsWithoutAListingAndItemsWithoutASKU() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        _ = try await harness.addStore("pos")
        shop.addProduct(sku: "MUG", stock: 0)
        let orphan = shop.addProduct(sku: "GIFT-CARD", stock: 0)
        let woo = try #require(harness.endpoints.first).channel
        try await discovery(harness).discover(code: "woo", channel: woo)
        #expect(try await discovery(harness).survey(code: "woo", channel: woo) == 2)

        let report = try harness.fixture.catalog.unmatched()
        #expect(report.map(\.channel) == ["woo"], "store endpoints address SKUs directly and need no listing")
        #expect(report.first?.skus == ["CAP", "TSHIRT-RED-M"])
        #expect(report.first?.items == [CatalogueEntry(externalID: String(orphan), sku: "GIFT-CARD", barcode: nil)])
        #expect(try SyncStatusReport.read(from: harness.pool).unmatched == [UnmatchedCounts(channel: "woo", skus: 2, items: 1)])

        try harness.fixture.catalog.setListings([ListingMapping(channel: "woo", sku: "CAP", externalID: String(orphan))])
        #expect(try SyncStatusReport.read(from: harness.pool).unmatched == [UnmatchedCounts(channel: "woo", skus: 1, items: 0)])
        await harness.shutdown()
    }

    @Test func reconcileKeepsTheItemsWithoutASKUCurrent() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        let orphan = shop.addProduct(sku: "GIFT-CARD", stock: 0)
        #expect(try harness.fixture.catalog.unmatched(channel: "woo").first?.catalogueReadAt == nil, "never read")
        _ = try await harness.reconcile(dryRun: true)
        #expect(try harness.fixture.catalog.unmatched(channel: "woo").first?.items.isEmpty == true, "a dry run records nothing")
        _ = try await harness.reconcile()
        #expect(
            try harness.fixture.catalog.unmatched(channel: "woo").first?.items.map(\.externalID) == [String(orphan)],
            "reconcile's read of the levels records the catalogue")
        try harness.fixture.catalog.setListings([ListingMapping(channel: "woo", sku: "CAP", externalID: String(orphan))])
        #expect(try harness.fixture.catalog.unmatched(channel: "woo").first?.items.isEmpty == true)
        await harness.shutdown()
    }
}
