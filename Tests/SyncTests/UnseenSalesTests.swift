import ChannelSimulators
import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

/// A lag-aware Allegro lane never gives back units Allegro sold whose orders the event feed has not brought in yet
/// (migration 19, `UnseenSales`): Allegro takes each purchase from the offer's stock, and the offer PATCH is absolute.
@Suite struct UnseenSalesTests {
    typealias Harness = ReconcileHarness

    @Test func aWriteLeavesOutWhatTheChannelSoldAndTheLedgerHasNotSeen() async throws {
        let harness = try Harness()
        let account = try await harness.addAllegro("allegro")
        // Lag-aware, with no hold (cap 0): only the unseen sales change the value written.
        _ = try harness.pool.execute("UPDATE channels SET buffer_mode = 'lag_aware', lag_cap = 0 WHERE code = 'allegro'")
        account.addOffer(id: "7001", sku: "MUG", available: 10)
        try harness.fixture.catalog.setListings([ListingMapping(channel: "allegro", sku: "MUG", externalID: "7001")])
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r")
        let shown = { account.offer("7001")?.available }
        // No order polling yet: Allegro's orders stay in its feed.
        harness.startWorker()
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shown() == 10)

        // Buyers take 3 on Allegro; a walk-in takes 2 in the ledger, which pushes 8. Allegro holds 7 and the 3 sold
        // are unknown here: writing 8 would give them back (and sell them twice); 8 − 3 = 5 is what can still sell.
        #expect(account.sell(offer: "7001", quantity: 3, checkoutForm: "cf-1") != nil)
        _ = try harness.ledger.sell(sku: "MUG", location: Harness.warehouse, quantity: 2, key: "till")
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shown() == 5, "Allegro shows \(shown() ?? -1)")
        #expect(try harness.fixture.scalar("SELECT unseen_sales FROM outbox WHERE channel = 'allegro'") == 3)

        // The feed brings the order in: the ledger reserves 3 and pushes 5. Those 3 are no longer unseen, so the write
        // does not take them off a second time.
        await harness.stopWorker()
        harness.startWorker(orderPollInterval: 0.3)
        #expect(try await harness.eventually { try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") == 3 })
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shown() == 5, "Allegro shows \(shown() ?? -1)")

        // A purchase after that write, then a receipt: 5 + 4 in the ledger, less the 1 Allegro sold meanwhile.
        #expect(account.sell(offer: "7001", quantity: 1, checkoutForm: "cf-2") != nil)
        await harness.stopWorker()
        harness.startWorker()
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 4, key: "r2")
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shown() == 8, "Allegro shows \(shown() ?? -1)")
        await harness.shutdown()
    }

    /// Shopify commits its own sales at once; the compare-and-set tells that `available` moved, and the read-back
    /// value gives what sold.
    @Test func aShopifyWriteLeavesOutTheSalesItsCompareAndSetRevealed() async throws {
        let harness = try Harness()
        let shop = try await harness.addShopify("shop")
        _ = try harness.pool.execute("UPDATE channels SET buffer_mode = 'lag_aware', lag_cap = 0 WHERE code = 'shop'")
        let item = shop.addVariant(sku: "MUG")
        let location = shop.locations[0]
        try harness.fixture.catalog.setListings([ListingMapping(channel: "shop", sku: "MUG", externalID: item)])
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r")
        let shown = { shop.level(sku: "MUG", location: location) }
        harness.startWorker()
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shown() == 10)

        // An order on Shopify commits 3 (its webhook not here yet); a walk-in takes 2.
        shop.addOrder(lines: [("MUG", 3)], location: location)
        _ = try harness.ledger.sell(sku: "MUG", location: Harness.warehouse, quantity: 2, key: "till")
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shown() == 5, "Shopify shows \(shown() ?? -1)")
        #expect(try harness.fixture.scalar("SELECT unseen_sales FROM outbox WHERE channel = 'shop'") == 3)

        // The order arrives (its reservation): the value 5 goes out as it is.
        _ = try harness.ledger.reserve(
            ReservationRequest(sku: "MUG", location: Harness.warehouse, quantity: 3, kind: .order, channel: "shop"), key: "order-1")
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(shown() == 5, "Shopify shows \(shown() ?? -1)")
        #expect(try harness.fixture.scalar("SELECT unseen_sales FROM outbox WHERE channel = 'shop'") == 0)
        await harness.shutdown()
    }

    @Test func aStaticChannelWritesTheLedgersValueAsItIs() async throws {
        let harness = try Harness()
        let account = try await harness.addAllegro("allegro")
        account.addOffer(id: "7001", sku: "MUG", available: 10)
        try harness.fixture.catalog.setListings([ListingMapping(channel: "allegro", sku: "MUG", externalID: "7001")])
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r")
        harness.startWorker()
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(account.sell(offer: "7001", quantity: 3, checkoutForm: "cf-1") != nil)
        _ = try harness.ledger.sell(sku: "MUG", location: Harness.warehouse, quantity: 2, key: "till")
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        #expect(account.offer("7001")?.available == 8, "ledger wins; no read before the write")
        #expect(account.requests.filter { $0.method == "GET" && $0.path.hasPrefix("/sale/product-offers/") }.isEmpty)
        await harness.shutdown()
    }

    @Test func theCountNeverTrapsAndNeverExceedsTheValue() {
        #expect(UnseenSales(lastWritten: 10, carried: 0).count(channelShows: 7, value: 8) == 3)
        #expect(UnseenSales(lastWritten: 10, carried: -3).count(channelShows: 7, value: 8) == 0)
        #expect(UnseenSales(lastWritten: 10, carried: 2).count(channelShows: 0, value: 5) == 5, "at most the value")
        #expect(UnseenSales(lastWritten: 4, carried: 0).count(channelShows: 9, value: 5) == 0, "the seller raised it")
        #expect(UnseenSales(lastWritten: Int.max, carried: Int.max).count(channelShows: Int.min, value: 5) == 0)
    }
}
