import ChannelSimulators
import ChannelVocabulary
import Channels
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

@Suite struct ReconcileTests {
    typealias Harness = ReconcileHarness

    @Test func aValueEditedAtTheChannelIsPushedAgain() async throws {
        let harness = try Harness()
        let pos = try await harness.addStore()
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.store, quantity: 6, key: "r")
        harness.startWorker()
        // Pushed and recorded as pushed: an edit racing a push still in flight would rightly count as pending.
        #expect(await harness.eventually { pos.level(sku: "MUG", location: Harness.store)?.available == 5 && (try? harness.unpushed()) == 0 })
        pos.setLevel(sku: "MUG", location: Harness.store, available: 9)

        let report = try await harness.reconcile()
        let channel = try #require(report.channels.first)
        #expect(channel.compared == 1)
        #expect(channel.drift == 1)
        #expect(channel.errors.isEmpty)
        #expect(report.findings.first { $0.kind == .drift }?.channelValue == 9)
        #expect(await harness.eventually { pos.level(sku: "MUG", location: Harness.store)?.available == 5 }, "ledger wins")
        #expect(try harness.fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG'") == 6, "the ledger is untouched")
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'drift' AND resolved_at IS NOT NULL") == 1)
        #expect(!report.needsAttention)

        let again = try await harness.reconcile()
        #expect(again.channels.first?.inSync == 1)
        #expect(again.channels.first?.drift == 0)
        await harness.shutdown()
    }

    /// A push recorded while the channel's page was on its way is not drift: the page predates it.
    @Test func aPushLandingWhileAPageIsReadIsNotDrift() async throws {
        let harness = try Harness()
        let (pos, reconciling) = try await startReconcileWithASlowPage(harness)
        _ = try harness.ledger.sell(sku: "MUG", location: Harness.store, quantity: 1, key: "s")
        #expect(await harness.eventually { pos.level(sku: "MUG", location: Harness.store)?.available == 4 && (try? harness.unpushed()) == 0 })

        let channel = try #require(try await reconciling.value.channels.first)
        #expect(channel.compared == 1)
        #expect(channel.drift == 0, "the page showed 5, the value pushed before the new one was recorded")
        #expect(channel.pending == 1)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'drift'") == 0)
        await harness.shutdown()
    }

    /// A store count read before a movement at the store is not recorded over it (it would undo the movement).
    @Test func aCountReadBeforeAMovementDoesNotUndoIt() async throws {
        let harness = try Harness()
        let (_, reconciling) = try await startReconcileWithASlowPage(harness, storeCount: 6)
        _ = try harness.ledger.sell(sku: "MUG", location: Harness.store, quantity: 1, key: "walk-in")

        let channel = try #require(try await reconciling.value.channels.first)
        #expect(channel.countChanges == 0, "the page's count of 6 predates the sale")
        let onHand = "SELECT on_hand FROM levels WHERE sku = 'MUG' AND location = $1"
        #expect(try harness.fixture.scalar(onHand, [Harness.store]) == 5)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts") == 0)
        await harness.shutdown()
    }

    /// A store endpoint showing MUG at 5 (6 on hand in the ledger, everything pushed; the store counts
    /// `storeCount` if given) and a reconcile of it whose page is prepared at once but answered 2 s later;
    /// returns once the page was requested, with the reconcile still running.
    private func startReconcileWithASlowPage(
        _ harness: Harness, storeCount: Int? = nil
    ) async throws -> (OmnistockJSONSimulator, Task<ReconcileReport, any Error>) {
        let pos = try await harness.addStore()
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.store, quantity: 6, key: "r")
        harness.startWorker()
        #expect(await harness.eventually { pos.level(sku: "MUG", location: Harness.store)?.available == 5 && (try? harness.unpushed()) == 0 })
        if let storeCount { pos.setLevel(sku: "MUG", location: Harness.store, available: 5, onHand: storeCount) }
        pos.inject(.slowAnswer(.seconds(2)))
        let reconciling = Task { try await harness.reconcile() }
        #expect(await harness.eventually { pos.requests.contains { $0.method == "GET" } }, "the page is requested and answered later")
        return (pos, reconciling)
    }

    @Test func aMissedOrderIsImportedOnce() async throws {
        let harness = try Harness()
        let shop = try await harness.addWooCommerce("woo")
        let product = shop.addProduct(sku: "MUG", stock: 10)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 10, key: "r")
        harness.startWorker()
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        let order = shop.addOrder(lines: [("MUG", 2)])

        let report = try await harness.reconcile()
        #expect(report.channels.first?.missedOrders == 1)
        #expect(report.channels.first?.errors == [])
        #expect(try harness.ledger.activeReservations(channel: "woo", externalRef: String(order.id)).map(\.quantity) == [2])
        let cursor = try harness.pool.query("SELECT orders_cursor FROM channel_state WHERE channel = 'woo'") {
            try $0.first?.decode(String?.self, at: 0)
        }
        #expect(cursor != nil, "the cursor moved past the imported order")
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'missed_order'") == 1)
        #expect(await harness.eventually { shop.stock(of: product) == 8 }, "the channel gets the value with the order reserved")

        let again = try await harness.reconcile()
        #expect(again.channels.first?.missedOrders == 0)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reservations") == 1)
        #expect(try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") == 2)
        await harness.shutdown()
    }

    @Test func aStoreCountBelowItsPickupReservationsIsAShortfall() async throws {
        let harness = try Harness()
        let pos = try await harness.addStore()
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.store, quantity: 3, key: "r1")
        _ = try harness.ledger.receive(sku: "MUG", location: LedgerFixture.warehouse, quantity: 10, key: "r2")
        _ = try harness.ledger.receive(sku: "MUG", location: LedgerFixture.secondWarehouse, quantity: 4, key: "r3")
        let pickup = try harness.ledger.reserve(
            ReservationRequest(
                sku: "MUG", location: Harness.store, quantity: 2, kind: .pickup, channel: "web", externalRef: "WEB-1",
                expiresAt: Date().addingTimeInterval(86_400)), key: "p1")
        harness.startWorker()
        #expect(try await harness.eventually { try harness.unpushed() == 0 && pos.reservations[pickup.reservation.id] != nil })
        await harness.stopWorker()
        pos.setLevel(sku: "MUG", location: Harness.store, available: 0, onHand: 1)

        let distances = [Harness.store: [LedgerFixture.secondWarehouse: 5, LedgerFixture.warehouse: 50]]
        let report = try await harness.reconcile(distances: distances)
        let channel = try #require(report.channels.first)
        #expect(channel.countChanges == 1)
        #expect(channel.shortfalls == 1)
        #expect(channel.pickupHolds == 1)
        let shortfall = try #require(report.findings.first { $0.kind == .pickupShortfall })
        #expect(shortfall.orders == ["WEB-1"])
        #expect(shortfall.transfer == TransferProposal(from: LedgerFixture.secondWarehouse, quantity: 1, distance: 5))
        #expect(report.needsAttention, "the shortfall stays open for an operator")

        #expect(try harness.fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG' AND location = $1", [Harness.store]) == 1)
        #expect(
            try harness.fixture.scalar(
                "SELECT count(*) FROM conflicts WHERE kind = 'pickup_shortfall' AND resolved_at IS NULL AND detail->'transfer'->>'from' = $1",
                [LedgerFixture.secondWarehouse]) == 1)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reservation_outbox WHERE NOT done") == 1, "the hold is pushed again")
        #expect(try harness.ledger.pickupAvailable(sku: "MUG", store: Harness.store) == 0)
        harness.startWorker()
        #expect(await harness.eventually { pos.level(sku: "MUG", location: Harness.store)?.available == 0 })
        #expect(try await harness.eventually { try harness.fixture.scalar("SELECT count(*) FROM reservation_outbox WHERE NOT done") == 0 })
        #expect(pos.reservations[pickup.reservation.id] != nil)

        let again = try await harness.reconcile(distances: distances)
        #expect(again.channels.first?.countChanges == 0, "the count was recorded once")
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'pickup_shortfall'") == 1, "flagged once")
        await harness.shutdown()
    }

    @Test func twoChannelsSellingTheLastUnitLeaveOneBackorder() async throws {
        let harness = try Harness()
        let first = try await harness.addWooCommerce("woo-a")
        let second = try await harness.addWooCommerce("woo-b")
        let productA = first.addProduct(sku: "MUG", stock: 1)
        let productB = second.addProduct(sku: "MUG", stock: 1)
        _ = try harness.ledger.receive(sku: "MUG", location: Harness.warehouse, quantity: 1, key: "r")
        let heard = first.addOrder(lines: [("MUG", 1)])
        try EventApplier(ledger: harness.ledger).apply(
            NormalizedEvent(id: "webhook-1", kind: .orderCreated, orderRef: String(heard.id), lines: [.init(sku: "MUG", quantity: 1)]),
            channel: "woo-a")
        let missed = second.addOrder(lines: [("MUG", 1)])

        let report = try await harness.reconcile()
        let a = try #require(report.channels.first { $0.channel == "woo-a" })
        let b = try #require(report.channels.first { $0.channel == "woo-b" })
        #expect(a.missedOrders == 0)
        #expect(b.missedOrders == 1)
        #expect(b.oversold == 1)
        #expect(
            try harness.fixture.scalar(
                "SELECT count(*) FROM conflicts WHERE kind = 'oversold' AND channel = 'woo-b' AND detail->>'order' = $1 AND resolved_at IS NULL",
                [String(missed.id)]) == 1)
        #expect(try harness.fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG'") == 1)
        #expect(try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") == 1, "first committed wins, never negative")
        #expect(report.needsAttention)
        harness.startWorker()
        #expect(await harness.eventually { first.stock(of: productA) == 0 && second.stock(of: productB) == 0 })
        await harness.shutdown()
    }
}
