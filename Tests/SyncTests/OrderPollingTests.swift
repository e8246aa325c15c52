import ChannelSimulators
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

/// The leader reads the orders of channels that send no webhooks (Allegro's event feed here) between reconciles.
@Suite struct OrderPollingTests {
    typealias Harness = ReconcileHarness

    @Test func anOrderOnAChannelWithoutWebhooksTakesItsStockWithinThePollInterval() async throws {
        let harness = try Harness()
        let account = try await harness.addAllegro("allegro")
        account.addOffer(id: "7001", sku: "MUG", available: 10)
        try harness.fixture.catalog.setListings([ListingMapping(channel: "allegro", sku: "MUG", externalID: "7001")])
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r")
        harness.startWorker(orderPollInterval: 0.3)
        #expect(try await harness.eventually { try harness.unpushed() == 0 })

        #expect(account.sell(offer: "7001", quantity: 3, checkoutForm: "cf-1") != nil)
        let reserved = { try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") }
        #expect(try await harness.eventually { try reserved() == 3 }, "imported by the poll, no reconcile ran")
        #expect(try harness.ledger.activeReservations(channel: "allegro", externalRef: "cf-1").map(\.quantity) == [3])
        let cursor = {
            try harness.pool.query("SELECT orders_cursor FROM channel_state WHERE channel = 'allegro'") { try $0.first?.decode(String?.self, at: 0) }
        }
        // The cursor is stored after the page's orders are applied, so it may trail the reservation by a moment.
        #expect(try await harness.eventually { try cursor() != nil }, "the cursor moved past the imported event")
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts") == 0, "polled orders are how this channel's orders arrive, not misses")

        // Polls go on: a second order is imported, the first is not applied again.
        #expect(account.sell(offer: "7001", quantity: 2, checkoutForm: "cf-2") != nil)
        #expect(try await harness.eventually { try reserved() == 5 })
        try await Task.sleep(for: .seconds(1))
        #expect(try reserved() == 5)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reservations") == 2)

        // Reconcile afterwards finds nothing missed.
        let report = try await harness.reconcile("allegro")
        #expect(report.channels.first?.missedOrders == 0)
        await harness.shutdown()
    }
}
