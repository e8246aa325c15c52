import ChannelSimulators
import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient
import Support
import Sync
import TestSupport
import Testing

@Suite struct PushTests {
    @Test func aLevelChangeReachesTheEndpoint() async throws {
        let harness = try await SyncHarness()
        harness.start()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 6, key: "r")
        #expect(await harness.eventually { harness.shown("MUG") == 5 }, "6 on hand minus the store's pickup buffer of 1")
        let request = try #require(harness.simulator.requests.last { $0.method == "PUT" })
        #expect(request.header("Authorization") == "Bearer pos-token")
        #expect(request.header("Idempotency-Key") != nil)
        let pendingSQL = "SELECT count(*) FROM outbox WHERE pushed_version IS DISTINCT FROM wanted_version"
        #expect(try await harness.eventually { try harness.fixture.scalar(pendingSQL) == 0 }, "the push is recorded")
        await harness.shutdown()
    }

    @Test func rapidChangesCoalesceAndTheLastValueWins() async throws {
        let harness = try await SyncHarness()
        harness.start()
        _ = try harness.ledger.receive(sku: "CAP", location: SyncHarness.store, quantity: 500, key: "r")
        for index in 0..<200 {
            _ = try harness.ledger.sell(sku: "CAP", location: SyncHarness.store, quantity: 1, key: "s\(index)")
        }
        #expect(await harness.eventually { harness.shown("CAP") == 299 }, "500 − 200 − buffer 1")
        try await Task.sleep(for: .milliseconds(300))
        // One push per change without coalescing; with it, changes that pile up while a push is out go as one.
        #expect(harness.levelPushes <= 100, "201 changes became \(harness.levelPushes) pushes")
        #expect(try harness.fixture.scalar("SELECT count(*) FROM outbox") == 1, "one outbox row per target")
        await harness.shutdown()
    }

    @Test func convergesAfterTheChannelFailsForAWhile() async throws {
        let harness = try await SyncHarness()
        harness.simulator.inject(.fail(status: 500), count: 4)
        harness.start()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 3, key: "r")
        #expect(await harness.eventually { harness.shown("MUG") == 2 })
        #expect(harness.levelPushes >= 5, "four failures, then success")
        #expect(try await harness.eventually { try harness.fixture.scalar("SELECT attempts FROM outbox") == 0 }, "attempts reset once pushed")
        await harness.shutdown()
    }

    @Test func retryAfterIsRespected() async throws {
        let harness = try await SyncHarness()
        harness.simulator.inject(.fail(status: 429, retryAfter: 2))
        harness.start()
        let started = Date()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 3, key: "r")
        #expect(await harness.eventually { harness.shown("MUG") == 2 })
        #expect(Date().timeIntervalSince(started) >= 2, "the second push waited for Retry-After")
        #expect(harness.levelPushes == 2)
        await harness.shutdown()
    }

    @Test func permanentErrorsWaitForTheValueToChange() async throws {
        let harness = try await SyncHarness()
        harness.simulator.inject(.fail(status: 422))
        harness.start()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 3, key: "r")
        #expect(await harness.eventually { (try? harness.fixture.scalar("SELECT count(*) FROM outbox WHERE permanent_error")) == 1 })
        let error = try harness.fixture.database.pool.query("SELECT last_error FROM outbox") { try $0[0].decode(String?.self, at: 0) }
        #expect(error?.isEmpty == false, "the response excerpt is kept")
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.levelPushes == 1, "not retried while the value is unchanged")
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 1, key: "r2")
        #expect(await harness.eventually { harness.shown("MUG") == 3 })
        await harness.shutdown()
    }

    /// A claim must never pair a target's newest version with a value read before that version committed:
    /// writers race the lane, and once everything is pushed each endpoint value and each recorded
    /// `pushed_value` must be the ledger's.
    @Test func valuesPushedUnderConcurrentWritesAreNeverOlderThanTheirVersion() async throws {
        let harness = try await SyncHarness(lane: LaneSettings(backoff: Backoff(base: 0.05, cap: 0.5), coalescingDelay: 0))
        let skus = (1...40).map { "RACE-\($0)" }
        for sku in skus {
            try harness.fixture.catalog.upsertSKU(sku)
            _ = try harness.ledger.receive(sku: sku, location: SyncHarness.store, quantity: 1_000, key: "seed-\(sku)")
        }
        harness.start()
        let ledger = harness.ledger
        DispatchQueue.concurrentPerform(iterations: 6) { writer in
            var generator = SeededGenerator(seed: UInt64(writer + 1))
            for step in 0..<400 {
                let sku = skus[Int.random(in: 0..<skus.count, using: &generator)]
                let key = "w\(writer)-\(step)"
                if Bool.random(using: &generator) {
                    _ = try? ledger.sell(sku: sku, location: SyncHarness.store, quantity: 1, key: key)
                } else {
                    _ = try? ledger.receive(sku: sku, location: SyncHarness.store, quantity: 1, key: key)
                }
            }
        }
        let pendingSQL = "SELECT count(*) FROM outbox WHERE pushed_version IS DISTINCT FROM wanted_version"
        #expect(try await harness.eventually(timeout: 30) { try harness.fixture.scalar(pendingSQL) == 0 })
        let stale = try harness.fixture.scalar(
            "SELECT count(*) FROM outbox WHERE pushed_value IS DISTINCT FROM channel_value(channel, sku, location_scope)")
        #expect(stale == 0, "targets recorded as pushed with a value older than their version")
        for sku in skus {
            #expect(harness.shown(sku) == (try harness.expected(sku)), "\(sku) at the endpoint")
        }
        await harness.shutdown()
    }

    @Test func pickupReservationsAreHeldAndDroppedAtTheStore() async throws {
        let harness = try await SyncHarness()
        harness.start()
        _ = try harness.ledger.receive(sku: "MUG", location: SyncHarness.store, quantity: 4, key: "r")
        let hold = try harness.ledger.reserve(
            ReservationRequest(
                sku: "MUG", location: SyncHarness.store, quantity: 1, kind: .pickup, channel: "webshop",
                externalRef: "WEB-1", expiresAt: Date().addingTimeInterval(3600)), key: "p")
        let id = hold.reservation.id
        #expect(await harness.eventually { harness.simulator.reservations[id] != nil })
        #expect(await harness.eventually { harness.shown("MUG") == 2 })
        _ = try harness.ledger.release(reservationID: id)
        #expect(await harness.eventually { harness.simulator.reservations[id] == nil })
        #expect(await harness.eventually { harness.shown("MUG") == 3 })
        await harness.shutdown()
    }
}
