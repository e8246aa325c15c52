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

/// eMAG against the real ledger: listings found by part number, levels pushed, a polled order imported once.
@Suite struct EmagReconcileTests {
    typealias Harness = ReconcileHarness

    @Test func offersAreFoundByPartNumberAndAnOrderIsImportedOnce() async throws {
        let harness = try Harness()
        let account = try await harness.addEmag("emag")
        account.addOffer(id: 501, partNumber: "MUG", eans: ["4006381333931"], stock: 0)
        account.addOffer(id: 502, partNumber: "CAP", stock: 0)
        account.addOffer(id: 503, partNumber: "NOT-IN-OMNISTOCK", stock: 0)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r")

        let channel = try #require(harness.endpoints.first).channel
        let found = try await ListingDiscovery(pool: harness.pool, logger: Logger(label: "test")).discover(code: "emag", channel: channel)
        #expect(found == 2, "MUG and CAP")
        #expect(try harness.fixture.catalog.listings(channel: "emag")?.first { $0.sku == "MUG" }?.externalID == "501")

        harness.startWorker()
        #expect(await harness.eventually { account.stock(of: 501) == 10 }, "the ledger's value reaches the offer")
        account.putOrder(.init(id: 900, status: 1, products: [(501, "MUG", 2, 1)], modified: "2026-11-30 10:00:00"))

        let report = try await harness.reconcile()
        #expect(report.channels.first?.missedOrders == 1)
        #expect(report.channels.first?.errors == [])
        #expect(try harness.ledger.activeReservations(channel: "emag", externalRef: "900").map(\.quantity) == [2])
        let cursor = try harness.pool.query("SELECT orders_cursor FROM channel_state WHERE channel = 'emag'") {
            try $0.first?.decode(String?.self, at: 0)
        }
        #expect(cursor == "2026-11-30 10:00:00", "the cursor is the latest modified, stored after the import")

        let again = try await harness.reconcile()
        #expect(again.channels.first?.missedOrders == 0)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reservations") == 1)
        #expect(await harness.eventually { account.stock(of: 501) == 8 })
        await harness.shutdown()
    }
}
