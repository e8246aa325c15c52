import ChannelSimulators
import ChannelVocabulary
import Foundation
import Ledger
import PostgresClient
import Sync
import TestSupport
import Testing

@Suite struct ReconcileFailureTests {
    typealias Harness = ReconcileHarness
    static let skus = ["A", "B", "C", "D", "E"]

    /// Five SKUs pushed to a store endpoint that lists two levels per page, then all edited by hand.
    func driftedStore() async throws -> (Harness, OmnistockJSONSimulator) {
        let harness = try Harness(skus: Self.skus)
        let pos = try await harness.addStore(pageSize: 2)
        for sku in Self.skus { _ = try harness.ledger.receive(sku: sku, location: Harness.store, quantity: 4, key: "r-\(sku)") }
        harness.startWorker()
        #expect(try await harness.eventually { try harness.unpushed() == 0 })
        await harness.stopWorker()
        for sku in Self.skus { pos.setLevel(sku: sku, location: Harness.store, available: 7) }
        return (harness, pos)
    }

    @Test func aChannelFailingHalfWayKeepsWhatItFinishedAndTheNextRunCompletes() async throws {
        let (harness, pos) = try await driftedStore()
        pos.inject(.hang(.zero))
        pos.inject(.fail(status: 500))

        let failed = try await harness.reconcile()
        let channel = try #require(failed.channels.first)
        #expect(channel.errors.count == 1)
        #expect(channel.compared == 2, "the first page was settled")
        #expect(channel.drift == 2)
        #expect(failed.needsAttention)
        #expect(try harness.unpushed() == 2, "only the settled page's targets are due again")
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reconcile_runs WHERE status = 'failed' AND error LIKE 'pos: levels%'") == 1)

        let completed = try await harness.reconcile()
        let rest = try #require(completed.channels.first)
        #expect(rest.errors.isEmpty)
        #expect(rest.compared == 5)
        #expect(rest.drift == 3)
        #expect(rest.pending == 2, "the first run's repairs wait for the worker")
        #expect(!completed.needsAttention)
        harness.startWorker()
        #expect(await harness.eventually { Self.skus.allSatisfy { pos.level(sku: $0, location: Harness.store)?.available == 3 } })
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reconcile_runs WHERE status = 'completed'") == 1)
        let last = try #require(try ReconcileHistory.lastPerChannel(from: harness.pool).first)
        #expect(last.runID == completed.runID && last.status == "completed")
        #expect(last.report == completed.channels.first)
        await harness.shutdown()
    }

    @Test func aDryRunChangesNothing() async throws {
        let (harness, pos) = try await driftedStore()
        pos.setLevel(sku: "A", location: Harness.store, available: 7, onHand: 9)
        let shop = try await harness.addWooCommerce("woo")
        shop.addOrder(lines: [("B", 1)])
        let state = """
            SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
                SELECT l::text AS t FROM levels l UNION ALL SELECT o::text FROM outbox o
                UNION ALL SELECT m::text FROM movements m UNION ALL SELECT c::text FROM conflicts c
                UNION ALL SELECT r::text FROM reservations r UNION ALL SELECT s::text FROM channel_state s
                UNION ALL SELECT x::text FROM reservation_outbox x) AS everything
            """
        let before = try harness.pool.query(state) { try $0[0].decode(String.self, at: 0) }
        let shown = pos.levels

        let report = try await harness.reconcile(dryRun: true)
        let store = try #require(report.channels.first { $0.channel == "pos" })
        #expect(store.drift == 5)
        #expect(store.countChanges == 1)
        #expect(report.channels.first { $0.channel == "woo" }?.missedOrders == 1)
        #expect(report.dryRun && report.needsAttention)
        #expect(try harness.pool.query(state) { try $0[0].decode(String.self, at: 0) } == before)
        #expect(pos.levels == shown)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reconcile_runs WHERE dry_run AND status = 'completed'") == 1)
        await harness.shutdown()
    }

    @Test func requestedRunsRunOnceAndTheScheduleKnowsWhenAChannelIsDue() async throws {
        let harness = try Harness()
        _ = try await harness.addStore()
        let requested = try harness.fixture.scalar(
            "INSERT INTO reconcile_runs (channel, trigger) VALUES ('pos', 'api') RETURNING id")
        let engine = harness.engine()
        let reports = try await engine.runPending()
        #expect(reports.map(\.runID) == [Int64(requested)])
        #expect(try await engine.runPending().isEmpty)
        let report = try harness.pool.query("SELECT status, report->'channels'->0->>'channel' FROM reconcile_runs WHERE id = $1", [requested]) {
            (try $0[0].decode(String.self, at: 0), try $0[0].decode(String?.self, at: 1))
        }
        #expect(report.0 == "completed" && report.1 == "pos")

        let scheduler = ReconcileScheduler(pool: harness.pool, interval: 3600)
        #expect(try scheduler.dueChannels(["pos"]) == ["pos"])
        await engine.tick(scheduler: scheduler)
        #expect(try scheduler.dueChannels(["pos"]).isEmpty)
        #expect(try harness.fixture.scalar("SELECT count(*) FROM reconcile_runs WHERE trigger = 'schedule' AND status = 'completed'") == 1)
        await harness.shutdown()
    }
}
