import Foundation
import Ledger
import PostgresClient
import TestSupport
import Testing

/// Webhook ingress into the inbox, alone and in batches.
@Suite struct InboxWriterTests {
    func delivery(_ id: String, channel: String = "webshop") -> InboxStore.Delivery {
        InboxStore.Delivery(channel: channel, eventID: id, headers: ["webhook-id": id], payload: #"{"id":"\#(id)"}"#)
    }

    /// One statement stores a list; an event repeated within it, or stored before, is a duplicate and stored once.
    @Test func aBatchStoresEachEventOnce() throws {
        let database = try TestDatabase.make()
        let wake = WakeCoalescer(.inbox, pool: database.pool)
        #expect(try InboxStore.store([delivery("a")], pool: database.pool, wake: wake) == [.stored])
        let outcomes = try InboxStore.store(
            [delivery("b"), delivery("a"), delivery("c"), delivery("b"), delivery("b", channel: "shop-2"), delivery("c")],
            pool: database.pool, wake: wake)
        #expect(outcomes == [.stored, .duplicate, .stored, .duplicate, .stored, .duplicate])
        #expect(try database.pool.query("SELECT count(*) FROM inbox") { try $0[0].decode(Int.self, at: 0) } == 4)
        let headers = try database.pool.query("SELECT headers->>'webhook-id' FROM inbox WHERE channel = 'shop-2'") {
            try $0[0].decode(String.self, at: 0)
        }
        #expect(headers == "b")
    }

    /// Headers come back exactly as stored, whatever characters their values hold.
    @Test func headersComeBackExactly() throws {
        let database = try TestDatabase.make()
        let headers = [
            "webhook-id": "a", "webhook-signature": #"v1,"q" \ {x} NULL"#, "content-type": "application/json; charset=ütf-8",
            "x-empty": "", "x-null": "NULL",
        ]
        _ = try InboxStore.store(
            [InboxStore.Delivery(channel: "webshop", eventID: "a", headers: headers, payload: "{}"), delivery("b")], pool: database.pool,
            wake: WakeCoalescer(.inbox, pool: database.pool))
        let stored = try InboxStore.due(limit: 10, pool: database.pool)
        #expect(stored.map(\.headers) == [headers, ["webhook-id": "b"]])
    }

    /// Deliveries that arrive while another is being stored share one commit and one wake-up, and a delivery repeated
    /// among them is stored once.
    @Test func concurrentDeliveriesShareOneCommitAndOneWakeUp() throws {
        let database = try TestDatabase.make(maxConnections: 8)
        let writer = InboxWriter(
            pool: database.pool, settings: GroupCommitSettings(window: 0.05, maxBatch: 64, maxInFlight: 1), timeout: .seconds(10))
        let (wakeUps, listener) = try ReceivedWakeUps.listening(to: .inbox, in: database)
        defer { listener.stop() }
        // An uncommitted insert of the first event holds its first delivery until the blocker rolls back.
        let blocker = try PostgresConnection(conninfo: database.url)
        try blocker.execute("BEGIN")
        try blocker.query("INSERT INTO inbox (channel, event_id, payload) VALUES ('webshop', 'first', '{}')")
        let outcomes = OutcomeCounts()
        let group = DispatchGroup()
        for id in ["first"] + (0..<20).map({ "e\($0 % 10)" }) {
            let item = delivery(id)
            group.enter()
            Task {
                outcomes.add(try? await writer.store(item))
                group.leave()
            }
            if id == "first" { Thread.sleep(forTimeInterval: 0.2) }
        }
        Thread.sleep(forTimeInterval: 0.4)
        try blocker.execute("ROLLBACK")
        group.wait()
        #expect(outcomes.stored == 11)
        #expect(outcomes.duplicates == 10)
        #expect(outcomes.failed == 0)
        #expect(try database.pool.query("SELECT count(*) FROM inbox") { try $0[0].decode(Int.self, at: 0) } == 11)
        let transactions = try database.pool.query("SELECT count(DISTINCT xmin::text) FROM inbox WHERE event_id <> 'first'") {
            try $0[0].decode(Int.self, at: 0)
        }
        #expect(transactions == 1, "the queued deliveries were stored by one statement")
        let deadline = Date().addingTimeInterval(5)
        _ = wakeUps.waitFor(count: 2, until: deadline)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(wakeUps.count == 2, "one wake-up for the first delivery, one for the batch")
    }
}

final class OutcomeCounts: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var stored = 0
    private(set) var duplicates = 0
    private(set) var failed = 0
    func add(_ outcome: InboxStore.Outcome?) {
        lock.withLock {
            switch outcome {
            case .stored: stored += 1
            case .duplicate: duplicates += 1
            case nil: failed += 1
            }
        }
    }
}
