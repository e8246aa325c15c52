import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

@Suite struct EventProcessingTests {
    /// Stores an omnistock-json event in the inbox the way the ingress does.
    func store(_ harness: SyncHarness, id: String, type: String, data: String) throws {
        try harness.fixture.database.pool.execute(
            "INSERT INTO inbox (channel, event_id, payload) VALUES ('pos', $1, $2)",
            [id, "{\"type\": \"\(type)\", \"data\": \(data)}"])
        try WakeAfterCommit.send(.inbox, payload: "pos", pool: harness.fixture.database.pool)
    }

    @Test func pickupOrderLifecycle() async throws {
        let harness = try await SyncHarness()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 5, key: "r")
        harness.start()
        try store(
            harness, id: "e1", type: "order.created",
            data: """
                {"order": "WEB-7", "fulfillment": "pickup", "pickup_location": "store-krakow",
                 "lines": [{"sku": "MUG", "quantity": 2}], "created_at": "2026-11-23T10:00:00Z"}
                """)
        #expect(await harness.eventually { (try? harness.ledger.activeReservations(channel: "pos", externalRef: "WEB-7").count) == 1 })
        let reservation = try #require(try harness.ledger.activeReservations(channel: "pos", externalRef: "WEB-7").first)
        #expect(reservation.kind == .pickup)
        #expect(reservation.quantity == 2)
        #expect(reservation.expiresAt != nil)
        try store(harness, id: "e2", type: "order.fulfilled", data: #"{"order": "WEB-7"}"#)
        #expect(await harness.eventually { (try? harness.ledger.reservation(id: reservation.id)?.status) == .committed })
        #expect(try harness.fixture.scalar("SELECT on_hand FROM levels WHERE sku = 'MUG'") == 3)
        #expect(try harness.ledger.verify().isEmpty)
        await harness.shutdown()
    }

    @Test func lateCreationAfterCancellationIsStale() async throws {
        let harness = try await SyncHarness()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 5, key: "r")
        try store(harness, id: "c1", type: "order.cancelled", data: #"{"order": "WEB-9"}"#)
        try store(
            harness, id: "c0", type: "order.created",
            data: """
                {"order": "WEB-9", "fulfillment": "ship", "lines": [{"sku": "MUG", "quantity": 1, "location": "store-krakow"}]}
                """)
        harness.start()
        #expect(await harness.eventually { (try? harness.fixture.scalar("SELECT count(*) FROM inbox WHERE status = 'processed'")) == 2 })
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reservations") == 0)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'stale_event'") == 1)
        await harness.shutdown()
    }

    @Test func anOrderTheStockCannotCoverIsABackorderNotNegativeStock() async throws {
        let harness = try await SyncHarness()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 1, key: "r")
        harness.start()
        try store(
            harness, id: "o1", type: "order.created",
            data: """
                {"order": "WEB-3", "fulfillment": "ship", "lines": [{"sku": "MUG", "quantity": 2, "location": "store-krakow"}]}
                """)
        #expect(await harness.eventually { (try? harness.fixture.scalar("SELECT count(*) FROM conflicts WHERE kind = 'oversold'")) == 1 })
        // The unit that exists is held (DESIGN.md §5a); only the missing one is the backorder.
        #expect(try harness.fixture.scalar("SELECT reserved FROM levels WHERE sku = 'MUG'") == 1)
        #expect(try harness.fixture.scalar("SELECT (detail->>'backorder')::int FROM conflicts WHERE kind = 'oversold'") == 1)
        await harness.shutdown()
    }

    @Test func failingEventsAreKeptWithTheirError() async throws {
        let harness = try await SyncHarness()
        harness.start()
        try store(harness, id: "u1", type: "stock.counted", data: #"{"sku": "NO-SUCH", "location": "store-krakow", "on_hand": 3}"#)
        #expect(await harness.eventually { (try? harness.fixture.scalar("SELECT count(*) FROM inbox WHERE status = 'failed'")) == 1 })
        let error = try harness.fixture.database.pool.query("SELECT error FROM inbox") { try $0[0].decode(String?.self, at: 0) }
        #expect(error?.contains("NO-SUCH") == true)
        await harness.shutdown()
    }

    @Test func dueReservationsExpireOnTheLeader() async throws {
        let harness = try await SyncHarness()
        _ = try harness.ledger.receive(sku: "MUG", location: LedgerFixture.warehouse, quantity: 5, key: "r")
        let hold = try harness.ledger.reserve(
            ReservationRequest(
                sku: "MUG", location: LedgerFixture.warehouse, quantity: 2, kind: .checkout,
                expiresAt: Date().addingTimeInterval(0.3)), key: "c")
        harness.start()
        #expect(await harness.eventually { (try? harness.ledger.reservation(id: hold.reservation.id)?.status) == .expired })
        await harness.shutdown()
    }
}
